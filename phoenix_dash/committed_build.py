"""build/ as committed, used by sync, diff and render instead of running the project's
Python, when its manifest (manifest.py) says it is what the code gives now: what the pull
request's reviewers read is what CD applies, without grafanalib or the modules' imports.

A stale or missing manifest builds from the code as before (the reason is the caller's to
say); ``--from-build`` makes it an error instead (the CD setting), ``--rebuild`` skips the
committed build. Dashboards and rule groups come from build/'s files; datasources and
notifications from their YAML files, whose hashes the manifest checked (the catalog is
checked by its hash alone: only lint reads it, and lint always builds from the code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from .alerting.outputs import GRAFANA_API_DIR
from .build import (
    BUILD_KINDS,
    DASHBOARDS_DIR,
    Build,
    build_dir_display,
    datasource_index,
    load_project_files,
    start_build,
)
from .config import Config
from .errors import ConfigError
from .manifest import Manifest, Stale, read_current
from .render import BuiltDashboard

BuildSource = Literal["auto", "committed", "rebuild"]


class StartedBuild(Protocol):
    """A build under way (``build.PendingBuild``) or checked and ready to read (``Ready``)."""

    @property
    def overlaps(self) -> bool:
        """Whether ``finish`` may run while the caller's threads work (no project module runs
        in this process meanwhile: they run in forked workers, or not at all)."""

    def finish(self) -> Build: ...


@dataclass(frozen=True)
class Ready:
    """build/ as committed, checked current; ``finish`` reads what the build needs."""

    config: Config
    manifest: Manifest
    files: dict[str, bytes]  # build/ as committed, but its manifest

    overlaps = True

    def finish(self) -> Build:
        config, files = self.config, self.files
        # The catalog was checked by the build the manifest vouches for, and only lint
        # (which always builds from the code) reads it.
        project = load_project_files(config, with_catalog=False)
        return Build(
            _dashboards(self.manifest, files),
            None,
            [],
            config.folders,
            config.default_folder,
            project.datasources,
            config.dashboard_schema,
            datasource_index(config, project.datasources),
            project.notifications,
            committed_alert_files=_alert_files(files),
            manifest=self.manifest,
        )


@dataclass(frozen=True)
class Obtained:
    started: StartedBuild
    not_used: str | None = None  # why build/ as committed is not used (None: it is, or --rebuild)


def obtain_build(config: Config, source: BuildSource, jobs: int = 1) -> Obtained:
    """The build sync, diff and render work from: build/ as committed when it is current
    (unless ``rebuild``), else started from the code (``committed``: an error instead)."""
    if source == "rebuild":
        return Obtained(start_build(config, jobs, with_sources=False))
    try:
        return Obtained(committed_build(config))
    except Stale as exc:
        if source == "committed":
            raise ConfigError(
                f"--from-build: {build_dir_display(config)} is not what the code gives: "
                f"{exc}; run `phoenix-dash build` and commit it"
            ) from None
        return Obtained(start_build(config, jobs, with_sources=False), str(exc))


def committed_build(config: Config) -> Ready:
    """build/ as committed; raises Stale naming what does not match."""
    if config.dashboard_schema != "v1":
        raise Stale(
            f"dashboards.schema is {config.dashboard_schema}: build/ then holds the dashboards "
            "in a form that does not keep every field sync sends, so they are built from the code"
        )
    manifest, files = read_current(config.root, config.build_dir, BUILD_KINDS)
    return Ready(config, manifest, files)


def _dashboards(manifest: Manifest, files: dict[str, bytes]) -> list[BuiltDashboard]:
    return [
        # The manifest checked that each file is there, as built: its bytes are canonical.
        BuiltDashboard(uid, title, where, None, encoded=files[f"{DASHBOARDS_DIR}/{uid}.json"])
        for uid, title, where in manifest.dashboard_entries()
    ]


def _alert_files(files: dict[str, bytes]) -> list[bytes]:
    """The rule groups as Grafana's API takes them, as build wrote them (routed)."""
    prefix = GRAFANA_API_DIR + "/"
    return [
        data
        for path, data in sorted(files.items())
        if path.startswith(prefix) and path.endswith(".json")
    ]
