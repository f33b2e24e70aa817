"""Where a sync goes: the environment's uid mappings and the sync settings."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, Folder
from ..errors import ConfigError, Location

JSON = dict[str, Any]
DEFAULT_MANAGED_TAG = "managed-by-phoenix-dash"


@dataclass(frozen=True)
class Target:
    """One Grafana to sync to, with how uids differ there."""

    name: str  # environment name, or "default"
    grafana: Mapping[str, Any]
    folders: Mapping[str, Folder]  # config folder uid -> folder there
    datasource_uids: Mapping[str, str] = field(default_factory=dict)
    managed_tag: str = DEFAULT_MANAGED_TAG
    rules_editable: bool = False  # X-Disable-Provenance on rule writes
    revision: str = "unknown"
    note: str = ""
    force: bool = False
    uid_prefix: str = ""  # for previews: dashboards under uids production never uses
    datasource_urls: Mapping[str, str] = field(default_factory=dict)  # uid in code -> URL
    take_over: bool = False  # claim resources another manager owns (resource APIs)
    dashboard_schema: str = "v1"  # dashboards.schema, the environment's if it sets one
    settings_file: str = "phoenix-dash.yaml"  # where grafana settings are, for messages
    # sync.notifications_editable: contact points, templates and mute timings written with
    # X-Disable-Provenance (editable in the UI, edits detected as conflicts) or locked.
    notifications_editable: bool = False

    @property
    def allow_ui_edits(self) -> bool:
        """``grafana.ui_edits``: whether Grafana lets people edit phoenix-dash's dashboards
        and folders in the UI (resource APIs; edits are detected as conflicts either way)."""
        return str(self.grafana.get("ui_edits") or "allow") == "allow"

    def dashboard_uid(self, uid: str) -> str:
        return f"{self.uid_prefix}{uid}"[:40] if self.uid_prefix else uid

    def folder_uid(self, uid: str | None) -> str:
        if not uid:
            return ""
        return self.folders[uid].uid if uid in self.folders else uid

    def remap(self, data: Any) -> Any:
        """``data`` with the datasource uids of this environment (a copy when any change)."""
        if not self.datasource_uids:
            return data
        return _remap(data, self.datasource_uids)


def _remap(value: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("uid", "datasourceUid") and isinstance(item, str) and item in mapping:
                out[key] = mapping[item]
            else:
                out[key] = _remap(item, mapping)
        current = out.get("current")
        if (
            value.get("type") == "datasource"
            and isinstance(current, dict)
            and current.get("value") in mapping
        ):
            out["current"] = {**current, "value": mapping[str(current["value"])]}
        return out
    if isinstance(value, list):
        return [_remap(item, mapping) for item in value]
    return value


def git_revision(root: Path) -> str:
    """The short commit of the project, "+dirty" when the tree has changes; "unknown" outside
    git."""
    try:
        rev = _git(root, "rev-parse", "--short=12", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{rev}+dirty" if dirty else rev


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, text=True, capture_output=True, check=True, timeout=10
    )
    return done.stdout.strip()


def make_target(
    config: Config,
    env: str | None,
    note: str = "",
    force: bool = False,
    take_over: bool = False,
) -> Target:
    sync = config.sync
    base = dict(config.grafana)
    folders = dict(config.folders)
    datasource_uids: dict[str, str] = {}
    name = "default"
    if env is not None:
        if env not in config.environments:
            known = ", ".join(sorted(config.environments)) or "none"
            raise ConfigError(
                f"unknown environment {env!r} (environments: {known})",
                Location(config.file, None, "environments"),
            )
        settings = config.environments[env]
        name = env
        base.update(settings.get("grafana", {}))
        for uid, override in settings.get("folders", {}).items():
            if uid not in folders:
                raise ConfigError(
                    f"environment {env}: folder {uid!r} is not in folders",
                    Location(config.file, None, f"environments.{env}.folders"),
                )
            folders[uid] = Folder(
                override.get("uid", folders[uid].uid),
                override.get("title", folders[uid].title),
                folders[uid].parent,
            )
        datasource_uids = dict(settings.get("datasources", {}))
    urls = dict(config.environments[env].get("datasource_urls", {})) if env else {}
    revision = git_revision(config.root)
    _check_note(note, revision)
    return Target(
        name,
        base,
        folders,
        datasource_uids,
        sync.get("managed_tag", DEFAULT_MANAGED_TAG),
        bool(sync.get("alert_rules_editable", False)),
        revision,
        note,
        force,
        datasource_urls=urls,
        take_over=take_over,
        dashboard_schema=_dashboard_schema(config, env),
        settings_file=config.file,
        notifications_editable=bool(sync.get("notifications_editable", False)),
    )


def _dashboard_schema(config: Config, env: str | None) -> str:
    if env is not None:
        override = config.environments[env].get("dashboards", {}).get("schema")
        if override:
            return str(override)
    return config.dashboard_schema


def _check_note(note: str, revision: str) -> None:
    """Grafana refuses a version message over 500 characters (D4): say so before any write."""
    from .normalize import message_room

    room = message_room(revision)
    if len(note) > room:
        raise ConfigError(
            f"--message is {len(note)} characters; Grafana keeps at most 500 per "
            f"dashboard version and phoenix-dash's own part takes "
            f"{500 - room}, so at most {room} are left; nothing was changed"
        )
