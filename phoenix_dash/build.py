"""``phoenix-dash build``: everything the project defines, rendered to files under build/.

Rendering happens entirely in memory first; only a complete, valid result is written, and it
replaces build/ in one swap, so a failure never leaves a half-written tree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .alerting.grafana import api_group, routed
from .alerting.model import RuleGroup
from .alerting.outputs import alert_files, yaml_bytes
from .alerting.prometheus import rule_file
from .build_inputs import capture
from .catalog import Catalog, load_catalog
from .config import Config, Folder
from .datasources import DatasourceDef, load_datasources, provisioning
from .errors import ConfigError, Location, PhoenixDashError
from .library_panels import LibraryPanelDef, gather
from .manifest import MANIFEST_FILE, Manifest, environment_notes, make_manifest, version_note
from .modern.common import JSON
from .notifications.definitions import Notifications, load_notifications
from .notifications.outputs import DIR as NOTIFICATIONS_DIR
from .notifications.outputs import notification_files
from .output import TreeChanges, compare_tree, json_bytes, replace_tree
from .provenance import strip_stamps
from .render import BuiltDashboard, Rendering, start_rendering
from .schema_v2 import DatasourceIndex
from .yamlconf import load_yaml

if TYPE_CHECKING:
    from .modern import ModernizeContext

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
    MANIFEST_FILE,
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
    # Set when build/ as committed is used (committed_build.py): the rule groups in Grafana's
    # form, the files of build/alerts/grafana/, instead of ``alert_groups`` (left empty).
    committed_alert_files: list[bytes] | None = None
    manifest: Manifest | None = None  # what made it: recorded by `build`, or the one read
    outputs: Mapping[str, bytes] | None = None  # ``output_files``, once made (recorded_build)

    @cached_property
    def library_panels(self) -> list[LibraryPanelDef]:
        """The library panels the dashboards use (library_panels.py)."""
        return gather((d.uid, d.json) for d in self.dashboards if d.mentions("libraryPanel"))

    @property
    def routing_tree(self) -> str | None:
        return self.notifications.routing_tree if self.notifications is not None else None

    @property
    def grafana_alert_groups(self) -> list[RuleGroup]:
        """The rule groups as Grafana gets them (labelled for the routing tree, if any)."""
        return routed(self.alert_groups, self.routing_tree)

    @property
    def grafana_alert_bodies(self) -> list[JSON]:
        """The rule groups as Grafana's provisioning API takes them (new objects each time:
        callers make them their environment's)."""
        if self.committed_alert_files is not None:
            return [orjson.loads(data) for data in self.committed_alert_files]
        return [api_group(group) for group in self.grafana_alert_groups]

    def files(self) -> dict[str, bytes]:
        """Relative path under build/ -> content (with the manifest, when recorded)."""
        files = self.output_files()
        if self.manifest is not None:
            files[MANIFEST_FILE] = self.manifest.to_bytes()
        return files

    def output_files(self) -> dict[str, bytes]:
        assert self.committed_alert_files is None, "a committed build is read, not written"
        if self.outputs is not None:
            return dict(self.outputs)
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
            from .schema_v2.resource import v2_resource  # v2 projects only

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
    from .loader import to_plain
    from .modern import ModernizeContext, modernize_dashboard

    modern = modernize_dashboard(to_plain(dashboard), ctx or ModernizeContext(), consume=True)
    stripped: JSON = strip_stamps(modern)
    return stripped


def modernize_context(config: Config) -> ModernizeContext:
    from .modern import ModernizeContext

    return ModernizeContext(config.datasources, config.default_datasource)


def build_project(config: Config, jobs: int = 1, with_sources: bool = True) -> Build:
    """Load and modernise every definition; raises PhoenixDashError on bad input.
    ``with_sources`` keeps the provenance stamps in the dashboard JSON, for lint."""
    return start_build(config, jobs, with_sources).finish()


def recorded_build(config: Config, jobs: int = 1) -> Build:
    """``build_project`` for build/: with its manifest, what it read recorded on the way."""
    with capture(config.root, config.build_dir) as reads:
        pending = start_build(config, jobs, with_sources=False)
        built = pending.finish()
    reads.update(pending.rendering.reads())
    settings = Path(config.file).as_posix()
    where = ((d.uid, d.title, d.location) for d in built.dashboards)
    outputs = built.output_files()
    manifest = make_manifest(config.root, settings, reads, outputs, where)
    return replace(built, manifest=manifest, outputs=outputs)


@dataclass
class PendingBuild:
    """A build whose dashboards are still being rendered by worker processes."""

    config: Config
    catalog: Catalog | None
    datasources: list[DatasourceDef]
    rendering: Rendering
    notifications: Notifications | None = None

    @property
    def overlaps(self) -> bool:
        return self.rendering.in_workers

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
        # Here, not at the top: they import grafanalib, which a committed build goes without.
        from .alerting.convert import AlertContext
        from .alerting.loader import check_panel_links, load_alert_groups

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
    files = load_project_files(config)
    rendering = start_rendering(
        config.root, config.dashboards_dir, modernize_context(config), jobs, with_sources
    )
    return PendingBuild(config, files.catalog, files.datasources, rendering, files.notifications)


@dataclass(frozen=True)
class ProjectFiles:
    """What a build takes from the project's YAML files, not from its Python."""

    catalog: Catalog | None
    datasources: list[DatasourceDef]
    notifications: Notifications | None


def load_project_files(config: Config, with_catalog: bool = True) -> ProjectFiles:
    """The project's YAML parts, checked. Only lint reads the catalog: ``with_catalog``
    False spares parsing it where its check is known to have passed (a current build/)."""
    catalog = None
    if config.catalog_file is not None and with_catalog:
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
    return ProjectFiles(catalog, datasources, notifications)


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
    """What writing ``build`` would change in the build directory. A manifest that differs
    only in the versions that made it is not a change (CI may run another Python than the
    author's; the files are the same): ``build_notes`` says what that means."""
    changes = compare_tree(config.build_dir, build.files(), BUILD_KINDS)
    committed = _committed_manifest(config)
    if MANIFEST_FILE in changes.changed and build.manifest and committed:
        only_versions = committed.same_apart_from_versions(build.manifest)
        changes.changed = [c for c in changes.changed if c != MANIFEST_FILE or not only_versions]
    return changes


def build_notes(config: Config, build: Build) -> list[str]:
    """What ``build`` says beside the files: versions, environment readers."""
    if build.manifest is None:
        return []
    committed = _committed_manifest(config)
    note = version_note(committed, build.manifest) if committed else None
    return ([note] if note else []) + environment_notes(build.manifest)


def _committed_manifest(config: Config) -> Manifest | None:
    try:
        return Manifest.parse((config.build_dir / MANIFEST_FILE).read_bytes())
    except (OSError, ValueError, TypeError, KeyError):
        return None


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
