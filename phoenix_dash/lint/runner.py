"""Run the registered rules over a build (or over dashboard JSON files) and collect findings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..alerting.grafana import api_group
from ..build import Build
from ..catalog import Catalog
from ..config import Config
from ..errors import ConfigError, Location
from ..provenance import SOURCE_KEY
from ..quantities import parse_duration
from . import rules as _rules  # noqa: F401 - registers the rules
from .context import AlertCtx, DashboardCtx, GroupCtx, Project
from .core import REGISTRY, Finding, LintRule, Severity, Subject
from .suppress import Suppression, apply

JSON = dict[str, Any]


def lint_build(build: Build, config: Config) -> list[Finding]:
    project = Project(build.catalog, parse_duration(config.scrape_interval))
    build_dir = config.display(config.build_dir)
    for dashboard in build.dashboards:
        folder = config.default_folder
        file = f"{build_dir}/dashboards/{dashboard.uid}.json"
        project.dashboards.append(DashboardCtx(dashboard.json, file, project, folder))
    groups = [(api_group(group), group) for group in build.alert_groups]
    project.alert_rules = [rule for api, _ in groups for rule in api["rules"]]
    subjects = list(_dashboard_subjects(project))
    for api, model in groups:
        file = f"{build_dir}/alerts/grafana/{model.folder_uid}/{model.slug}.json"
        group_stamp = {SOURCE_KEY: f"{model.location.file}:{model.location.line}"}
        subjects.append(Subject(GroupCtx(api, project), file, "", api["title"], [group_stamp]))
        for index, (rule, rule_model) in enumerate(zip(api["rules"], model.rules, strict=True)):
            stamp = {SOURCE_KEY: f"{rule_model.location.file}:{rule_model.location.line}"}
            ctx = AlertCtx(rule, api, project)
            path = f"/rules/{index}"
            subjects.append(Subject(ctx, file, path, rule["uid"], [stamp]))
            subjects += [Subject(q, file, path + q.path, rule["uid"], [stamp]) for q in ctx.queries]
    return finish(run(subjects), config.suppressions)


def lint_files(paths: Sequence[Path], catalog: Catalog | None, scrape_seconds: float,
               suppressions: Iterable[Suppression] = ()) -> list[Finding]:
    """Lint dashboards given as JSON files (exports, API answers, other tools' output)."""
    project = Project(catalog, scrape_seconds)
    for path in paths:
        project.dashboards.append(DashboardCtx(read_dashboard(path), str(path), project))
    return finish(run(_dashboard_subjects(project)), list(suppressions))


def read_dashboard(path: Path) -> JSON:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file not found", Location(str(path))) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg}", Location(str(path), exc.lineno)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", Location(str(path))) from None
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]  # the shape GET /api/dashboards/uid/{uid} answers
    if not isinstance(data, dict) or not isinstance(data.get("panels", []), list):
        raise ConfigError("not a Grafana dashboard (an object with panels)", Location(str(path)))
    return data


def _dashboard_subjects(project: Project) -> Iterable[Subject]:
    for dashboard in project.dashboards:
        yield Subject(dashboard, dashboard.file, "", dashboard.uid, [dashboard.json])
        for panel in dashboard.panels:
            target = f"{dashboard.uid} / {panel.title}"
            yield Subject(panel, dashboard.file, panel.path, target, [panel.panel, dashboard.json])
            for query in panel.queries:
                yield Subject(query, dashboard.file, query.path, target,
                              [query.target, panel.panel, dashboard.json])


def run(subjects: Iterable[Subject]) -> list[Finding]:
    by_scope: dict[str, list[LintRule]] = {}
    for lint_rule in REGISTRY.values():
        by_scope.setdefault(lint_rule.info.scope, []).append(lint_rule)
    scope_of = {"DashboardCtx": "dashboard", "PanelCtx": "panel", "QueryCtx": "query",
                "AlertCtx": "alert", "GroupCtx": "group"}
    findings: list[Finding] = []
    for subject in subjects:
        for lint_rule in by_scope.get(scope_of[type(subject.value).__name__], []):
            findings.extend(subject.findings(lint_rule))
    return findings


def finish(findings: list[Finding], suppressions: Sequence[Suppression]) -> list[Finding]:
    for suppression in suppressions:
        if suppression.rule not in REGISTRY:
            raise ConfigError(f"lint.suppress: unknown rule {suppression.rule!r}",
                              Location(suppression.file, suppression.line))
    kept = apply(findings, list(suppressions))
    return sorted(kept, key=lambda f: (f.file, f.line or 0, f.path, -f.severity, f.rule))


def failing(findings: Iterable[Finding], threshold: Severity) -> bool:
    return any(f.severity >= threshold for f in findings)
