"""`diff --against REF`: the build at a git revision against the working tree's build, as the
same plan sync shows, with no Grafana at all (for reviewing a pull request)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..build import DASHBOARDS_DIR, FOLDERS_DIR
from ..config import Config
from ..dashboard_file import v1_model
from ..errors import ConfigError
from .diffing import (
    Detail,
    dashboard_changes,
    datasource_changes,
    group_changes,
    value_change,
)
from .model import Action, Change, Plan, Resource
from .options import Selection

JSON = dict[str, Any]
FOLDER_FIELDS = ("title", "parentUid")

# Where build/ keeps each kind Grafana holds (the YAML forms say the same as the JSON ones).
KINDS_BY_DIR = {
    f"{DASHBOARDS_DIR}/": "dashboard",
    "alerts/grafana/": "alert-group",
    "datasources/": "datasource",
    f"{FOLDERS_DIR}/": "folder",
}


def git_build_files(root: Path, ref: str, build_dir: str) -> dict[str, bytes]:
    """Files under ``build_dir`` at ``ref``, relative to it."""

    def git(*args: str) -> bytes:
        try:
            return subprocess.run(
                ["git", *args], cwd=root, capture_output=True, check=True, timeout=60
            ).stdout
        except FileNotFoundError:
            raise ConfigError("git is not installed") from None
        except subprocess.CalledProcessError as exc:
            message = exc.stderr.decode(errors="replace").strip().splitlines()
            raise ConfigError(
                f"git {' '.join(args[:2])}: {message[-1] if message else exc}"
            ) from None

    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    names = git("ls-tree", "-r", "--name-only", ref, "--", build_dir).decode().splitlines()
    prefix = build_dir.rstrip("/") + "/"
    return {name.removeprefix(prefix): git("show", f"{ref}:{name}") for name in names}


def build_files_at(config: Config, ref: str) -> dict[str, bytes]:
    """The project's build/ at ``ref``."""
    return git_build_files(config.root, ref, config.display(config.build_dir))


def _read(data: bytes | None, kind: str) -> Any:
    """A build file's JSON; a dashboard as its v1 model, whichever schema build wrote, so
    the differences read the same."""
    if data is None:
        return None
    found = json.loads(data)
    return v1_model(found) if kind == "dashboard" and isinstance(found, dict) else found


def _resource(kind: str, path: str, body: JSON) -> Resource:
    name = str(body.get("name" if kind == "datasource" else "title", ""))
    if kind == "alert-group":
        key = f"{body.get('folderUid')}/{body.get('title')}"
    else:
        key = str(body.get("uid") or path.rsplit("/", 1)[-1].removesuffix(".json"))
    return Resource(kind, key, name, body.get("folderUid") if kind != "folder" else None)


def _details(kind: str, old: JSON, new: JSON) -> list[str]:
    if kind == "dashboard":
        return dashboard_changes(old, new)
    if kind == "alert-group":
        return group_changes(old, new)
    if kind == "datasource":
        return datasource_changes(old, new)
    return [
        value_change(key, old.get(key), new.get(key))
        for key in FOLDER_FIELDS
        if old.get(key) != new.get(key)
    ]


def diff_against(
    ref: str, before: Mapping[str, bytes], after: Mapping[str, bytes], selection: Selection
) -> Plan:
    """What changed in build/ since ``ref`` (its files then, ``before``, and now), for every
    kind build writes, as a plan."""
    plan = Plan(against=ref)
    for path in sorted(set(before) | set(after)):
        kind = next((k for prefix, k in KINDS_BY_DIR.items() if path.startswith(prefix)), None)
        if kind is None or not path.endswith(".json"):
            continue
        old = _read(before.get(path), kind)
        new = _read(after.get(path), kind)
        resource = _resource(kind, path, new or old or {})
        if not selection.keeps(resource):
            continue
        if old is None:
            plan.changes.append(Change(resource, Action.CREATE, reason=f"new since {ref}"))
        elif new is None:
            plan.changes.append(Change(resource, Action.DELETE, reason=f"removed since {ref}"))
        elif old == new:
            plan.changes.append(Change(resource, Action.UNCHANGED))
        else:
            details = _details(kind, old, new) or [Detail("changed (formatting only)")]
            plan.changes.append(
                Change(resource, Action.UPDATE, reason=f"changed since {ref}", details=details)
            )
    return plan
