"""`phoenix-dash preview`: the build in a Grafana, for looking at it while editing.

Dashboards go to a dedicated folder under uids prefixed ``preview-``, so a preview never
touches production dashboards even in a shared Grafana; alert rules are left out (they could
notify real people). ``watch`` rebuilds and re-syncs on every change under dashboards/ and
alerts/, reporting a broken edit instead of stopping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .build import build_project
from .config import Config, Folder
from .errors import PhoenixDashError
from .grafana.connection import GrafanaConnection
from .lint.core import Severity
from .lint.runner import lint_build
from .sync.applier import apply_plan
from .sync.options import PlanOptions, Selection
from .sync.planner import make_plan
from .sync.target import make_target

FOLDER_UID = "phoenix-dash-preview"
FOLDER_TITLE = "phoenix-dash preview"
UID_PREFIX = "preview-"
WATCHED_SUFFIXES = (".py", ".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Preview:
    urls: list[tuple[str, str]]  # (title, URL)
    failed: list[str]
    findings: list[str]  # lint warnings and errors, as "file:line message [rule]"


def preview_once(config: Config, connection: GrafanaConnection) -> Preview:
    build = build_project(config)
    folders = {uid: Folder(FOLDER_UID, FOLDER_TITLE) for uid in config.folders}
    target = replace(
        make_target(config, None, "preview", force=True), folders=folders, uid_prefix=UID_PREFIX
    )
    if not folders:  # a project without folders still previews in the preview folder
        build = replace(build, default_folder=FOLDER_UID)
        target = replace(target, folders={FOLDER_UID: Folder(FOLDER_UID, FOLDER_TITLE)})
    options = PlanOptions(selection=Selection(only=("folder", "library-panel", "dashboard")))
    plan = make_plan(connection, build, target, options)
    outcomes = apply_plan(connection, plan, target)
    base = connection.settings.url
    urls = [
        (c.resource.name, f"{base}/d/{c.resource.key}")
        for c in plan.changes
        if c.resource.kind == "dashboard"
    ]
    findings = [
        f"{f.where} {f.severity}: {f.message} [{f.rule}]"
        for f in lint_build(build, config)
        if f.severity >= Severity.WARNING
    ]
    return Preview(
        urls, [f"{o.change.resource.label}: {o.detail}" for o in outcomes if not o.ok], findings
    )


def snapshot(config: Config) -> dict[Path, float]:
    """Modification times of the files a preview depends on."""
    files: dict[Path, float] = {}
    for directory in (config.dashboards_dir, config.alerts_dir):
        if directory.is_dir():
            for path in directory.rglob("*"):
                if path.suffix in WATCHED_SUFFIXES and path.is_file():
                    files[path] = path.stat().st_mtime_ns
    for extra in (config.catalog_file, config.root / "phoenix-dash.yaml"):
        if extra is not None and extra.is_file():
            files[extra] = extra.stat().st_mtime_ns
    return files


def watch(
    config: Config,
    connection: GrafanaConnection,
    report: Callable[[Preview | PhoenixDashError], None],
    stop: threading.Event,
    poll: float = 0.5,
) -> None:
    """Preview now, then again after every change, until ``stop`` is set."""
    seen: dict[Path, float] | None = None
    while not stop.is_set():
        current = snapshot(config)
        if current != seen:
            seen = current
            try:
                report(preview_once(config, connection))
            except PhoenixDashError as exc:
                report(exc)  # a broken edit: say so, keep watching
        stop.wait(poll)
        time.sleep(0)
