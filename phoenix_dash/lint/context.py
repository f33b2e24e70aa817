"""What rules look at: dashboards, panels, queries, alert rules and groups, each with the
project around it (catalog, scrape interval, every other dashboard for uniqueness checks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..catalog import Catalog
from ..errors import Location
from ..modern.datasources import variable_name
from ..provenance import stamp
from .promql import Parsed, parse, variables_in
from .settings import DEFAULTS, RuleSettings

JSON = dict[str, Any]
# Grafana's own variables, always defined.
BUILTIN_VARIABLES = frozenset(
    {
        "__interval",
        "__interval_ms",
        "__range",
        "__range_s",
        "__range_ms",
        "__rate_interval",
        "__dashboard",
        "__user",
        "__org",
        "__from",
        "__to",
        "__timeFilter",
        "__name",
        "__auto",
        "timeFilter",
        "__all",
        "__series",
        "__field",
        "__value",
        "__data",
        "__cell",
        "__url_time_range",
    }
)
NO_QUERY_PANELS = frozenset({"row", "text", "alertlist", "dashlist", "news", "welcome"})


def datasource_uid(node: JSON) -> str:
    """The uid (or, in old exports, the name) of a node's datasource."""
    datasource = node.get("datasource")
    if isinstance(datasource, dict):
        return str(datasource.get("uid") or "")
    return str(datasource or "")


@dataclass
class Project:
    catalog: Catalog | None = None
    scrape_seconds: float = 15.0
    settings: RuleSettings = DEFAULTS  # lint.rules: severities and rule options
    dashboards: list[DashboardCtx] = field(default_factory=list)
    alert_rules: list[JSON] = field(default_factory=list)  # every rule, in build order
    datasources: list[JSON] | None = None  # definitions, when the project defines them
    # Every dashboard uid of the project, when the project is linted (not JSON files alone).
    dashboard_uids: set[str] | None = None

    @cached_property
    def datasource_uids(self) -> set[str] | None:
        if self.datasources is None:
            return None
        return {str(d.get("uid")) for d in self.datasources}


@dataclass
class DashboardCtx:
    json: JSON
    file: str
    project: Project
    folder: str | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # results several rules share

    @cached_property
    def uid(self) -> str:
        return str(self.json.get("uid", ""))

    @cached_property
    def variables(self) -> dict[str, JSON]:
        templating = self.json.get("templating") or {}
        return {str(v.get("name")): v for v in templating.get("list") or [] if isinstance(v, dict)}

    @cached_property
    def datasource_variable_types(self) -> dict[str, str]:
        """Each datasource variable's name and the plugin it picks from (its query)."""
        return {
            name: str(variable.get("query") or "")
            for name, variable in self.variables.items()
            if variable.get("type") == "datasource"
        }

    def datasource_type(self, reference: Any) -> str:
        """The plugin a datasource reference reaches, as Grafana resolves it: a {type, uid}'s
        type, a $variable's plugin. A name or no datasource (the default one) cannot be
        resolved from the dashboard alone: it is taken as the plugin of the dashboard's
        datasource variables when they all pick one, else as Prometheus."""
        uid = reference.get("uid") if isinstance(reference, dict) else reference
        if isinstance(reference, dict) and reference.get("type"):
            return str(reference["type"])
        picker = variable_name(str(uid or ""))
        if picker in self.datasource_variable_types:
            return self.datasource_variable_types[picker]
        return self._unresolved_datasource_type

    @cached_property
    def _unresolved_datasource_type(self) -> str:
        plugins = set(self.datasource_variable_types.values())
        return plugins.pop() if len(plugins) == 1 else "prometheus"

    @cached_property
    def export_inputs(self) -> set[str]:
        """An export's ``__inputs`` (``DS_PROMETHEUS``): placeholders Grafana's import
        replaces with what the importer picks, so ``${DS_PROMETHEUS}`` is defined."""
        inputs = self.json.get("__inputs")
        return (
            {str(i["name"]) for i in inputs or [] if isinstance(i, dict) and i.get("name")}
            if isinstance(inputs, list)
            else set()
        )

    @cached_property
    def panels(self) -> list[PanelCtx]:
        """Every panel, rows and the panels inside collapsed rows included; not a library
        panel's bare reference (a schema v2 file's), whose content is the library's."""
        found: list[PanelCtx] = []
        row: str | None = None
        row_repeat = ""  # the variable the row the panels are in repeats over
        for index, panel in enumerate(self.json.get("panels") or []):
            if not isinstance(panel, dict) or _library_reference(panel):
                continue
            is_row = panel.get("type") == "row"
            if is_row:
                row, row_repeat = str(panel.get("title") or ""), str(panel.get("repeat") or "")
            found.append(
                PanelCtx(self, panel, None if is_row else row, f"/panels/{index}", row_repeat)
            )
            for child_index, child in enumerate(panel.get("panels") or []):
                if isinstance(child, dict) and not _library_reference(child):
                    path = f"/panels/{index}/panels/{child_index}"
                    found.append(PanelCtx(self, child, row, path, row_repeat))
        return found

    @cached_property
    def used_variables(self) -> set[str]:
        """Variables referenced by queries, titles, repeats, links and other variables."""
        used: set[str] = set()
        for panel in self.panels:
            used |= variables_in(str(panel.panel.get("title") or ""))
            used |= variables_in(datasource_uid(panel.panel))
            if panel.panel.get("repeat"):
                used.add(str(panel.panel["repeat"]))
            for query in panel.queries:
                used |= query.parsed.variables
                used |= variables_in(datasource_uid(query.target))
                used |= variables_in(str(query.target.get("legendFormat") or ""))
        for variable in self.variables.values():
            used |= variables_in(str(variable.get("query") or ""))
            used |= variables_in(datasource_uid(variable))
        for link in self.json.get("links") or []:
            used |= variables_in(str(link.get("url") or ""))
        return used


@dataclass
class PanelCtx:
    dashboard: DashboardCtx
    panel: JSON
    row: str | None
    path: str
    row_repeat: str = ""  # the variable the enclosing row repeats over
    memo: dict[str, Any] = field(default_factory=dict)  # results several rules share

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or "")

    @property
    def repeated_over(self) -> frozenset[str]:
        """The variables each copy of the panel has one value of: Grafana repeats the panel
        (or its row) once per value chosen, the variable scoped to that value."""
        return frozenset(filter(None, (str(self.panel.get("repeat") or ""), self.row_repeat)))

    @property
    def type(self) -> str:
        return str(self.panel.get("type") or "")

    def query_language(self, target: JSON) -> str:
        """The plugin a query of this panel goes to: its own datasource, else the panel's."""
        return self.dashboard.datasource_type(
            target.get("datasource") or self.panel.get("datasource")
        )

    @cached_property
    def queries(self) -> list[QueryCtx]:
        """The panel's PromQL queries."""
        found = []
        for index, target in enumerate(self.panel.get("targets") or []):
            if (
                isinstance(target, dict)
                and isinstance(target.get("expr"), str)
                and self.query_language(target) == "prometheus"
            ):
                found.append(
                    QueryCtx(self, target, parse(target["expr"]), f"{self.path}/targets/{index}")
                )
        return found


@dataclass
class QueryCtx:
    """A PromQL query of a panel or of an alert rule."""

    panel: PanelCtx | None
    target: JSON
    parsed: Parsed
    path: str
    project: Project | None = None

    @property
    def project_ctx(self) -> Project:
        if self.panel is not None:
            return self.panel.dashboard.project
        assert self.project is not None
        return self.project


@dataclass
class AlertCtx:
    rule: JSON  # a ProvisionedAlertRule as built
    group: JSON
    project: Project
    path: str = ""  # of the rule within its group file

    @cached_property
    def queries(self) -> list[QueryCtx]:
        found = []
        for index, node in enumerate(self.rule.get("data") or []):
            model = node.get("model") or {}
            if node.get("datasourceUid") != "__expr__" and isinstance(model.get("expr"), str):
                found.append(
                    QueryCtx(
                        None,
                        model,
                        parse(model["expr"]),
                        f"{self.path}/data/{index}/model",
                        self.project,
                    )
                )
        return found


@dataclass
class DatasourceCtx:
    definition: JSON
    project: Project
    path: str = ""
    file: str = ""
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def at(self, key: str) -> JSON | None:
        """A node that locates the dotted ``key`` at its line in the definitions file."""
        line = self.key_lines.get(key)
        return stamp(Location(self.file, line)) or None


@dataclass
class GroupCtx:
    group: JSON
    project: Project
    path: str = ""


@dataclass
class NotificationsCtx:
    """notifications.yaml as linted: its data as written, where each key path is, and the
    project's alert rules (the labels they set)."""

    data: JSON
    file: str
    project: Project
    lines: Callable[[list[str | int]], int | None] = lambda path: None

    def at(self, path: list[str | int]) -> JSON:
        """A provenance stamp for ``path``: what locates a problem at its line."""
        return stamp(Location(self.file, self.lines(path)))

    @cached_property
    def rule_labels(self) -> dict[str, set[str]]:
        """Each label the project's rules set, with its static values ({{ templated }}
        values count as any value: "*")."""
        found: dict[str, set[str]] = {}
        for rule in self.project.alert_rules:
            for name, value in (rule.get("labels") or {}).items():
                found.setdefault(str(name), set()).add("*" if "{{" in str(value) else str(value))
        return found


def _library_reference(panel: JSON) -> bool:
    return "libraryPanel" in panel and "type" not in panel
