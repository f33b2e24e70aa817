"""The project settings file, ``phoenix-dash.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, Location
from .yamlconf import YamlDocument, load_yaml, validate_bundled

CONFIG_NAME = "phoenix-dash.yaml"


@dataclass(frozen=True)
class DatasourceRef:
    type: str
    uid: str

    def as_json(self) -> dict[str, str]:
        return {"type": self.type, "uid": self.uid}


@dataclass(frozen=True)
class Folder:
    uid: str
    title: str
    parent: str | None = None


@dataclass(frozen=True)
class Entry:
    """One entry of a list in the settings, as written, with where each of its keys is (the
    command that reads the list interprets it and reports problems at those places)."""

    value: Mapping[str, Any]
    where: Location  # the entry itself
    keys: Mapping[str, Location]  # each key of it


@dataclass(frozen=True)
class Config:
    root: Path
    file: str
    datasources: dict[str, DatasourceRef]
    default_datasource: str | None = None
    folders: dict[str, Folder] = field(default_factory=dict)
    default_folder: str | None = None
    dashboard_schema: str = "v1"  # dashboards.schema: what build writes (v1 or v2)
    dashboards_dir: Path = Path("dashboards")
    alerts_dir: Path = Path("alerts")
    build_dir: Path = Path("build")
    catalog_file: Path | None = None
    alert_tests_dir: Path = Path("alerts/tests")
    datasources_file: Path | None = None
    notifications_file: Path | None = None
    scrape_interval: str = "15s"
    promtool: str | None = None
    lint_suppress: tuple[Entry, ...] = ()  # lint.suppress, read by the linter
    lint_rules: tuple[Entry, ...] = ()  # lint.rules: {"rule": id, "setting": ...} each
    grafana: dict[str, Any] = field(default_factory=dict)  # see grafana.settings
    prometheus: dict[str, Any] = field(default_factory=dict)  # see prometheus_api
    sync: dict[str, Any] = field(default_factory=dict)
    environments: dict[str, Any] = field(default_factory=dict)

    def display(self, path: Path) -> str:
        """A path as the user should read it: relative to the project root when inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def find_config(start: Path) -> Path:
    """The nearest phoenix-dash.yaml at or above ``start``."""
    for directory in [start, *start.resolve().parents]:
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(f"no {CONFIG_NAME} found in {start} or any parent directory")


def load_config(path: Path) -> Config:
    doc = load_yaml(path, display=path.name)
    validate_bundled(doc, "config.schema.json")
    data = doc.data
    root = path.parent
    datasources = {
        name: DatasourceRef(type=ds["type"], uid=ds["uid"])
        for name, ds in data["datasources"].items()
    }
    default_ds = data.get("default_datasource")
    if default_ds is not None and not default_ds.startswith("$") and default_ds not in datasources:
        raise doc.error(["default_datasource"], f"unknown datasource {default_ds!r}")
    folders = {
        uid: Folder(uid=uid, title=f["title"], parent=f.get("parent"))
        for uid, f in data.get("folders", {}).items()
    }
    for uid, folder in folders.items():
        if folder.parent is not None and folder.parent not in folders:
            raise doc.error(["folders", uid, "parent"], f"unknown parent folder {folder.parent!r}")
    default_folder = data.get("dashboards", {}).get("folder")
    if default_folder is not None and default_folder not in folders:
        raise doc.error(["dashboards", "folder"], f"unknown folder {default_folder!r}")
    paths = data.get("paths", {})
    _check_paths(doc, root, paths)
    catalog = paths.get("catalog")
    return Config(
        root=root,
        file=doc.file,
        datasources=datasources,
        default_datasource=default_ds,
        folders=folders,
        default_folder=default_folder,
        dashboard_schema=str(data.get("dashboards", {}).get("schema", "v1")),
        dashboards_dir=root / paths.get("dashboards", "dashboards"),
        alerts_dir=root / paths.get("alerts", "alerts"),
        build_dir=root / paths.get("build", "build"),
        catalog_file=root / catalog if catalog else None,
        alert_tests_dir=root / paths.get("alert_tests", "alerts/tests"),
        datasources_file=root / paths["datasources"] if "datasources" in paths else None,
        notifications_file=root / paths["notifications"] if "notifications" in paths else None,
        scrape_interval=data.get("prometheus", {}).get("scrape_interval", "15s"),
        promtool=data.get("prometheus", {}).get("promtool"),
        lint_suppress=_entries(doc, ["lint", "suppress"]),
        lint_rules=_rule_entries(doc),
        grafana=dict(data.get("grafana", {})),
        prometheus=dict(data.get("prometheus", {})),
        sync=dict(data.get("sync", {})),
        environments=dict(data.get("environments", {})),
    )


# Settings naming what the project reads: a typo must stop everything, not read nothing (a
# missing alerts directory would otherwise build no rules, and sync --prune delete them all).
READ_PATHS = {
    "dashboards": "directory",
    "alerts": "directory",
    "alert_tests": "directory",
    "catalog": "file",
    "datasources": "file",
    "notifications": "file",
}


def _check_paths(doc: YamlDocument, root: Path, paths: dict[str, Any]) -> None:
    for key, kind in READ_PATHS.items():
        if key not in paths:
            continue
        path = root / paths[key]
        if not path.exists():
            raise doc.error(["paths", key], f"{paths[key]!r} does not exist (in {root})")
        if path.is_dir() != (kind == "directory"):
            raise doc.error(["paths", key], f"{paths[key]!r} is not a {kind}")
    build = paths.get("build")
    if build is not None and (root / build).exists() and not (root / build).is_dir():
        raise doc.error(["paths", "build"], f"{build!r} is a file, not a directory")


def _rule_entries(doc: YamlDocument) -> tuple[Entry, ...]:
    """lint.rules, one entry per rule, located at its key (lint.settings reads them)."""
    rules = (doc.data.get("lint") or {}).get("rules") or {}
    return tuple(
        Entry(
            {"rule": rule_id, "setting": setting},
            doc.location(["lint", "rules", rule_id]),
            {},
        )
        for rule_id, setting in rules.items()
    )


def _entries(doc: YamlDocument, path: list[str]) -> tuple[Entry, ...]:
    items: Any = doc.data
    for key in path:
        items = items.get(key, {}) if isinstance(items, dict) else {}
    return tuple(
        Entry(
            item,
            doc.location([*path, index]),
            {str(key): doc.location([*path, index, str(key)]) for key in item},
        )
        for index, item in enumerate(items if isinstance(items, list) else [])
        if isinstance(item, dict)
    )
