"""Run the registered rules over a build (or over dashboard JSON files) and collect findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import provenance
from ..alerting.grafana import api_group
from ..build import Build
from ..catalog import Catalog
from ..config import Config
from ..dashboard_file import read_dashboard
from ..errors import ConfigError, Location
from ..json_lines import line_of
from ..quantities import parse_duration
from ..yamlconf import load_yaml
from . import rules as _rules  # noqa: F401 - registers the rules
from .context import (
    AlertCtx,
    DashboardCtx,
    DatasourceCtx,
    GroupCtx,
    NotificationsCtx,
    PanelCtx,
    Project,
    QueryCtx,
)
from .core import REGISTRY, Finding, LintRule, Severity, Subject
from .settings import DEFAULTS, RuleSettings, rule_settings
from .suppress import Suppression, apply, from_settings

JSON = dict[str, Any]
SCOPE_OF: dict[type, str] = {
    DashboardCtx: "dashboard",
    PanelCtx: "panel",
    QueryCtx: "query",
    AlertCtx: "alert",
    GroupCtx: "group",
    DatasourceCtx: "datasource",
    NotificationsCtx: "notifications",
}


@dataclass(frozen=True)
class GroupInput:
    """An alert rule group as linted: its provisioning-API JSON, the file it is written to,
    and the Python lines that built the group and each rule (when known)."""

    api: JSON
    file: str
    group_stamp: JSON | None = None
    rule_stamps: tuple[JSON | None, ...] = ()


@dataclass(frozen=True)
class DatasourceInput:
    """A datasource definition as linted: its body (secrets as placeholders), where it is
    defined, and the line of each of its keys (dotted paths) when known."""

    definition: JSON
    file: str
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationsInput:
    """notifications.yaml as linted: its data as written, the file, and the line of a key
    path when known."""

    data: JSON
    file: str
    lines: Callable[[list[str | int]], int | None] = lambda path: None


def lint_build(build: Build, config: Config) -> list[Finding]:
    build_dir = config.display(config.build_dir)
    dashboards = [(f"{build_dir}/dashboards/{d.uid}.json", d.json) for d in build.dashboards]
    groups = [
        GroupInput(
            api_group(group),
            f"{build_dir}/alerts/grafana/{group.folder_uid}/{group.slug}.json",
            _stamp(group.location),
            tuple(_stamp(rule.location) for rule in group.rules),
        )
        for group in build.alert_groups
    ]
    datasources = (
        [
            DatasourceInput(d.placeholder_body(), d.location.file, d.location.line, d.key_lines)
            for d in build.datasources
        ]
        if config.datasources_file is not None
        else None
    )
    return lint(
        dashboards,
        groups,
        build.catalog,
        parse_duration(config.scrape_interval),
        from_settings(config.lint_suppress),
        config.default_folder,
        datasources,
        rule_settings(config.lint_rules),
        _notifications(config),
        whole_project=True,
    )


def _notifications(config: Config) -> NotificationsInput | None:
    """notifications.yaml as written (build read it already: it is valid)."""
    if config.notifications_file is None:
        return None
    doc = load_yaml(config.notifications_file, config.display(config.notifications_file))
    return NotificationsInput(doc.data or {}, doc.file, doc.line_of)


def lint_files(
    paths: Sequence[Path],
    catalog: Catalog | None,
    scrape_seconds: float,
    suppressions: Sequence[Suppression] = (),
    settings: RuleSettings = DEFAULTS,
) -> list[Finding]:
    """Lint dashboards given as JSON files (exports, API answers, other tools' output);
    findings name the line of the JSON value they are about. ``catalog``: the one that
    applies to them (given, or read from a Prometheus), else None: no catalog rules."""
    read = {str(path): read_dashboard(path) for path in paths}
    findings = lint(
        [(name, file.data) for name, file in read.items()],
        [],
        catalog,
        scrape_seconds,
        suppressions,
        settings=settings,
    )
    lines = {name: file.lines() for name, file in read.items()}
    located = [
        replace(f, line=line_of(f.path, lines[f.file])) if f.file in lines and f.line is None else f
        for f in findings
    ]
    return sorted(located, key=_order)


def lint_json(
    dashboards: Sequence[tuple[str, JSON]],
    groups: Sequence[JSON] = (),
    catalog: Catalog | None = None,
    scrape_seconds: float = 15.0,
    datasources: Sequence[JSON] | None = None,
    settings: RuleSettings = DEFAULTS,
    notifications: JSON | None = None,
) -> list[Finding]:
    """Lint dashboards, alert rule groups (provisioning API shape), datasource
    definitions and notifications.yaml's content given as JSON, as a whole project."""
    inputs = [GroupInput(group, f"group {index}") for index, group in enumerate(groups)]
    defined = (
        None
        if datasources is None
        else [DatasourceInput(d, f"datasource {index}") for index, d in enumerate(datasources)]
    )
    wanted = None if notifications is None else NotificationsInput(notifications, "notifications")
    return lint(
        dashboards,
        inputs,
        catalog,
        scrape_seconds,
        datasources=defined,
        settings=settings,
        notifications=wanted,
        whole_project=True,
    )


def lint(
    dashboards: Sequence[tuple[str, JSON]],
    groups: Sequence[GroupInput],
    catalog: Catalog | None,
    scrape_seconds: float,
    suppressions: Sequence[Suppression] = (),
    folder: str | None = None,
    datasources: Sequence[DatasourceInput] | None = None,
    settings: RuleSettings = DEFAULTS,
    notifications: NotificationsInput | None = None,
    whole_project: bool = False,
) -> list[Finding]:
    """``datasources``: each datasource the project defines, or None when it defines none
    (references are then not checked). ``whole_project``: ``dashboards`` are all the
    project's (links between them are checked)."""
    project = Project(catalog, scrape_seconds, settings)
    project.dashboards = [DashboardCtx(json, file, project, folder) for file, json in dashboards]
    if whole_project:
        project.dashboard_uids = {d.uid for d in project.dashboards}
    project.alert_rules = [rule for group in groups for rule in group.api.get("rules") or []]
    project.datasources = None if datasources is None else [d.definition for d in datasources]
    subjects = [*_dashboard_subjects(project), *_alert_subjects(project, groups)]
    for ds in datasources or ():
        ctx = DatasourceCtx(ds.definition, project, file=ds.file, key_lines=ds.key_lines)
        stamp = provenance.stamp(Location(ds.file, ds.line)) or None
        subjects.append(Subject(ctx, ds.file, "", str(ds.definition.get("uid")), [stamp]))
    if notifications is not None:
        found = NotificationsCtx(
            notifications.data, notifications.file, project, notifications.lines
        )
        subjects.append(Subject(found, notifications.file, "", "notifications"))
    return finish(run(subjects, settings), suppressions)


def _stamp(location: Location) -> JSON:
    return provenance.stamp(location)


def _alert_subjects(project: Project, groups: Sequence[GroupInput]) -> Iterator[Subject]:
    for group in groups:
        title = str(group.api.get("title"))
        yield Subject(GroupCtx(group.api, project), group.file, "", title, [group.group_stamp])
        for index, rule in enumerate(group.api.get("rules") or []):
            stamp = group.rule_stamps[index] if index < len(group.rule_stamps) else None
            ctx = AlertCtx(rule, group.api, project, f"/rules/{index}")
            uid = str(rule.get("uid"))
            yield Subject(ctx, group.file, ctx.path, uid, [stamp, group.group_stamp])
            for query in ctx.queries:
                yield Subject(query, group.file, query.path, uid, [stamp, group.group_stamp])


def _dashboard_subjects(project: Project) -> Iterable[Subject]:
    for dashboard in project.dashboards:
        yield Subject(dashboard, dashboard.file, "", dashboard.uid, [dashboard.json])
        for panel in dashboard.panels:
            target = f"{dashboard.uid} / {panel.title}"
            yield Subject(panel, dashboard.file, panel.path, target, [panel.panel, dashboard.json])
            for query in panel.queries:
                yield Subject(
                    query,
                    dashboard.file,
                    query.path,
                    target,
                    [query.target, panel.panel, dashboard.json],
                )


def run(subjects: Iterable[Subject], settings: RuleSettings = DEFAULTS) -> list[Finding]:
    """Every rule that is on, at the severity the project gives it, over each subject."""
    by_scope: dict[str, list[tuple[LintRule, Severity]]] = {}
    for rule_id, lint_rule in REGISTRY.items():
        severity = settings.severity(rule_id)
        if severity != Severity.OFF:
            by_scope.setdefault(lint_rule.info.scope, []).append((lint_rule, severity))
    findings: list[Finding] = []
    for subject in subjects:
        for lint_rule, severity in by_scope.get(SCOPE_OF[type(subject.value)], []):
            findings.extend(subject.findings(lint_rule, severity))
    return findings


def finish(findings: list[Finding], suppressions: Iterable[Suppression]) -> list[Finding]:
    for suppression in suppressions:
        if suppression.rule not in REGISTRY:
            raise ConfigError(
                f"lint.suppress: unknown rule {suppression.rule!r}",
                Location(suppression.file, suppression.line),
            )
    kept = apply(findings, list(suppressions))
    return sorted(kept, key=_order)


def _order(finding: Finding) -> tuple[str, int, str, int, str]:
    return (finding.file, finding.line or 0, finding.path, -finding.severity, finding.rule)


def failing(findings: Iterable[Finding], threshold: Severity) -> bool:
    return any(f.severity >= threshold for f in findings)
