"""``phoenix-dash build``: everything the project defines, rendered to files under build/.

Rendering happens entirely in memory first; only a complete, valid result is written, and it
replaces build/ in one swap, so a failure never leaves a half-written tree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .alerting.convert import AlertContext
from .alerting.grafana import routed
from .alerting.loader import check_panel_links, load_alert_groups
from .alerting.model import RuleGroup
from .alerting.outputs import alert_files, yaml_bytes
from .alerting.prometheus import rule_file
from .catalog import Catalog, load_catalog
from .config import Config, Folder
from .datasources import DatasourceDef, load_datasources, provisioning
from .errors import ConfigError, Location, PhoenixDashError
from .library_panels import LibraryPanelDef, gather
from .loader import to_plain
from .modern import ModernizeContext, modernize_dashboard
from .modern.common import JSON
from .notifications.definitions import Notifications, load_notifications
from .notifications.outputs import DIR as NOTIFICATIONS_DIR
from .notifications.outputs import notification_files
from .output import TreeChanges, compare_tree, json_bytes, replace_tree
from .provenance import strip_stamps
from .render import BuiltDashboard, Rendering, start_rendering
from .schema_v2 import DatasourceIndex
from .schema_v2.resource import v2_resource
from .yamlconf import load_yaml

DASHBOARDS_DIR = "dashboards"
FOLDERS_DIR = "folders"
# The folders of build/ that phoenix-dash writes; anything else there is left alone (and not
# reported by --check): `pip install .` from a clone used to put setuptools' build/lib there.
LIBRARY_PANELS_DIR = "library-panels"
BUILD_KINDS = (
    DASHBOARDS_DIR,
    "alerts",
    "datasources",
    FOLDERS_DIR,
    NOTIFICATIONS_DIR,
    LIBRARY_PANELS_DIR,
)


def folder_body(folder: Folder) -> JSON:
    """A folder as build/ holds it (and the legacy folder API takes it)."""
    body: JSON = {"uid": folder.uid, "title": folder.title}
    if folder.parent:
        body["parentUid"] = folder.parent
    return body


@dataclass(frozen=True)
class Build:
    dashboards: list[BuiltDashboard]
    catalog: Catalog | None
    alert_groups: list[RuleGroup] = field(default_factory=list)
    folders: Mapping[str, Folder] = field(default_factory=dict)
    default_folder: str | None = None  # where every dashboard goes (dashboards.folder)
    datasources: list[DatasourceDef] = field(default_factory=list)
    dashboard_schema: str = "v1"  # the form build/dashboards/ holds (dashboards.schema)
    datasource_index: DatasourceIndex = field(default_factory=DatasourceIndex)
    notifications: Notifications | None = None  # notifications.yaml, when the project has one

    @cached_property
    def library_panels(self) -> list[LibraryPanelDef]:
        """The library panels the dashboards use (library_panels.py)."""
        return gather((d.uid, d.json) for d in self.dashboards)

    @property
    def routing_tree(self) -> str | None:
        return self.notifications.routing_tree if self.notifications is not None else None

    @property
    def grafana_alert_groups(self) -> list[RuleGroup]:
        """The rule groups as Grafana gets them (labelled for the routing tree, if any)."""
        return routed(self.alert_groups, self.routing_tree)

    def files(self) -> dict[str, bytes]:
        """Relative path under build/ -> content."""
        files = {f"{DASHBOARDS_DIR}/{d.uid}.json": self.dashboard_bytes(d) for d in self.dashboards}
        files.update(alert_files(self.alert_groups, self.folders, self.routing_tree))
        for folder in self.folders.values():
            files[f"{FOLDERS_DIR}/{folder.uid}.json"] = json_bytes(folder_body(folder))
        for datasource in self.datasources:
            files[f"datasources/{datasource.uid}.json"] = json_bytes(datasource.placeholder_body())
        if self.datasources:
            files["datasources/provisioning.yaml"] = yaml_bytes(
                provisioning(self.datasources), "datasources.yaml"
            )
        if self.notifications is not None:
            files.update(notification_files(self.notifications))
        for library in self.library_panels:
            body = library.body(self.default_folder or "")
            files[f"{LIBRARY_PANELS_DIR}/{library.file_name}"] = json_bytes(body)
        return files

    def dashboard_bytes(self, dashboard: BuiltDashboard) -> bytes:
        if self.dashboard_schema == "v2":
            return json_bytes(self.dashboard_file(dashboard))
        return dashboard.canonical

    def dashboard_file(self, dashboard: BuiltDashboard) -> JSON:
        """A dashboard as build/ holds it: the v1 JSON, or its schema v2 resource."""
        if self.dashboard_schema == "v2":
            return v2_resource(dashboard.uid, dashboard.clean, self.datasource_index)
        return dashboard.clean


def datasource_index(config: Config, datasources: list[DatasourceDef]) -> DatasourceIndex:
    """The project's datasources by uid, for schema v2's typed references; the default
    is phoenix-dash.yaml's default_datasource."""
    types = {d.uid: d.type for d in datasources}
    types.update({ref.uid: ref.type for ref in config.datasources.values()})
    default = config.datasources.get(config.default_datasource or "")
    return DatasourceIndex(types, default.type if default else "prometheus")


def render_dashboard(dashboard: Any, ctx: ModernizeContext | None = None) -> JSON:
    """The Grafana 12 JSON of one grafanalib Dashboard object (for scripts and tests)."""
    modern = modernize_dashboard(to_plain(dashboard), ctx or ModernizeContext(), consume=True)
    stripped: JSON = strip_stamps(modern)
    return stripped


def modernize_context(config: Config) -> ModernizeContext:
    return ModernizeContext(config.datasources, config.default_datasource)


def build_project(config: Config, jobs: int = 1, with_sources: bool = True) -> Build:
    """Load and modernise every definition; raises PhoenixDashError on bad input.
    ``with_sources`` keeps the provenance stamps in the dashboard JSON, for lint."""
    return start_build(config, jobs, with_sources).finish()


@dataclass
class PendingBuild:
    """A build whose dashboards are still being rendered by worker processes."""

    config: Config
    catalog: Catalog | None
    datasources: list[DatasourceDef]
    rendering: Rendering
    notifications: Notifications | None = None

    def finish(self) -> Build:
        config = self.config
        dashboards = self.rendering.result()
        panels = {d.uid: d.panel_ids for d in dashboards}
        try:
            groups = self._alert_groups(panels, track=self.rendering.with_sources)
        except PhoenixDashError:
            if self.rendering.with_sources:
                raise
            groups = self._alert_groups(panels, track=True)  # again, to name the line
        return Build(
            dashboards,
            self.catalog,
            groups,
            config.folders,
            config.default_folder,
            self.datasources,
            config.dashboard_schema,
            datasource_index(config, self.datasources),
            self.notifications,
        )

    def _alert_groups(self, panels: Mapping[str, AbstractSet[int]], track: bool) -> list[RuleGroup]:
        """The alert rules, checked. Untracked (build, sync), every rule is also compiled
        to PromQL here, so that an error the Prometheus form finds later is found now, when
        it can still be reported again with its line."""
        config = self.config
        alert_ctx = AlertContext(config.datasources, config.folders, config.default_datasource)
        groups = load_alert_groups(config.root, config.alerts_dir, alert_ctx, track)
        check_panel_links(groups, panels)
        if not track:
            rule_file(groups)
        return groups


def start_build(config: Config, jobs: int = 1, with_sources: bool = True) -> PendingBuild:
    """``build_project``, started: large projects render in forked workers while the caller
    goes on (sync connects to Grafana meanwhile); ``finish`` completes it."""
    catalog = None
    if config.catalog_file is not None:
        catalog = load_catalog(config.catalog_file, config.display(config.catalog_file))
    datasources = []
    if config.datasources_file is not None:
        datasources = load_datasources(
            config.datasources_file, config.display(config.datasources_file)
        )
        _check_names(config, datasources)
    notifications = None
    if config.notifications_file is not None:
        notifications = load_notifications(
            config.notifications_file, config.display(config.notifications_file)
        )
    rendering = start_rendering(
        config.root, config.dashboards_dir, modernize_context(config), jobs, with_sources
    )
    return PendingBuild(config, catalog, datasources, rendering, notifications)


def _check_names(config: Config, datasources: list[DatasourceDef]) -> None:
    """The names dashboards use (phoenix-dash.yaml) must point at defined datasources."""
    defined = {d.uid: d.type for d in datasources}
    for name, ref in config.datasources.items():
        if defined.get(ref.uid) != ref.type:
            doc = load_yaml(config.root / config.file, display=config.file)  # for the line
            raise doc.error(
                ["datasources", name],
                f"uid {ref.uid!r} ({ref.type}) is not "
                f"defined in {config.display(config.datasources_file or Path())}",
            )


def check_build(config: Config, build: Build) -> TreeChanges:
    """What writing ``build`` would change in the build directory."""
    return compare_tree(config.build_dir, build.files(), BUILD_KINDS)


# What a build may not silently empty: kind -> (its folder under build/, the setting naming
# where it comes from).
GUARDED_KINDS = {"dashboards": (DASHBOARDS_DIR, "dashboards"), "alerts": ("alerts", "alerts")}


def refuse_emptying(config: Config, build: Build, allow_empty: Collection[str] = ()) -> None:
    """A build that yields no dashboards (or no alert rules) where build/ holds some is a
    mistake more often than a wish (a wrong path, a module that stopped defining them): it
    would remove them from build/, and a later ``sync --prune`` from Grafana."""
    counts = {"dashboards": len(build.dashboards), "alerts": len(build.alert_groups)}
    for kind, (folder, setting) in GUARDED_KINDS.items():
        held = (
            sorted((config.build_dir / folder).rglob("*.json"))
            if (config.build_dir / folder).is_dir()
            else []
        )
        if counts[kind] or kind in allow_empty or not held:
            continue
        source = config.dashboards_dir if kind == "dashboards" else config.alerts_dir
        doc = load_yaml(config.root / config.file, display=config.file)  # for the line
        where = doc.location(["paths", setting]) if setting in doc.data.get("paths", {}) else None
        raise ConfigError(
            f"{config.display(source)}/ yields no {kind}, but "
            f"{build_dir_display(config)} holds {len(held)}: refusing to remove "
            f"them (`phoenix-dash build --allow-empty {kind}` if that is meant)",
            where or Location(config.file, None, f"paths.{setting}"),
        )


def write_build(config: Config, build: Build, allow_empty: Collection[str] = ()) -> TreeChanges:
    """Write ``build``; returns what changed (nothing is touched when nothing changed)."""
    refuse_emptying(config, build, allow_empty)
    files = build.files()
    where = build_dir_display(config)
    if config.build_dir.exists() and not config.build_dir.is_dir():
        raise ConfigError(f"{where.rstrip('/')} is a file, not a directory; nothing was written")
    try:
        changes = compare_tree(config.build_dir, files, BUILD_KINDS)
        if changes:
            replace_tree(config.build_dir, files, BUILD_KINDS)
    except OSError as exc:  # replace_tree left the old tree as it was
        raise ConfigError(
            f"cannot write {where}: {exc.strerror or exc}; nothing was changed"
        ) from None
    return changes


def build_dir_display(config: Config) -> str:
    return config.display(config.build_dir).rstrip("/") + "/"
