"""`diff --against REF`: the build at a git revision against the working tree's build, as the
same plan sync shows, with no Grafana at all (for reviewing a pull request)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..build import DASHBOARDS_DIR, FOLDERS_DIR, LIBRARY_PANELS_DIR
from ..config import Config
from ..dashboard_file import v1_model
from ..errors import ConfigError
from ..notifications.outputs import GRAFANA_DIR
from .diffing import (
    Detail,
    dashboard_changes,
    datasource_changes,
    group_changes,
    leaf_changes,
    tree_changes,
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
    f"{GRAFANA_DIR}/contact-points/": "contact-point",
    f"{GRAFANA_DIR}/mute-timings/": "mute-timing",
    f"{GRAFANA_DIR}/templates/": "template",
    f"{GRAFANA_DIR}/policy.json": "policy",
    f"{LIBRARY_PANELS_DIR}/": "library-panel",
}
# Kinds whose differences are every changed setting, named by its path (the policy route's
# are its tree's lines).
BY_SETTING = frozenset({"contact-point", "mute-timing", "template", "policy", "library-panel"})


def git_build_files(root: Path, ref: str, build_dir: str) -> dict[str, bytes]:
    """Files under ``build_dir`` at ``ref``, relative to it."""
    if not ref.strip() or ref.startswith("-"):  # never an option to git
        raise ConfigError(f"--against {ref!r}: not a revision (a branch, a tag or a commit)")
    if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        raise ConfigError(_unknown_revision(root, ref))
    listed = _git(root, "ls-tree", "-r", "--name-only", ref, "--", build_dir) or b""
    names = listed.decode().splitlines()
    if not names:
        raise ConfigError(
            f"{ref} has no {build_dir}/: there is nothing to compare with (was {build_dir}/ "
            "committed at that revision?)"
        )
    prefix = build_dir.rstrip("/") + "/"
    return {name.removeprefix(prefix): _show(root, ref, name) for name in names}


def _git(root: Path, *args: str) -> bytes | None:
    """git's output, or None when it fails (its reason is not for users: they are told
    what failed in their words)."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise ConfigError("diff --against needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git {args[0]} took more than 60 s; nothing was compared") from None
    if done.returncode != 0 and b"not a git repository" in done.stderr.lower():
        raise ConfigError(f"{root} is not in a git repository: diff --against compares with one")
    return done.stdout if done.returncode == 0 else None


def _show(root: Path, ref: str, name: str) -> bytes:
    found = _git(root, "show", f"{ref}:{name}")
    if found is None:
        raise ConfigError(f"cannot read {name} at {ref}")
    return found


def _unknown_revision(root: Path, ref: str) -> str:
    message = f"--against {ref}: unknown revision"
    if (_git(root, "rev-parse", "--is-shallow-repository") or b"").strip() == b"true":
        return (
            f"{message} in this shallow clone: fetch its history (`git fetch --unshallow`; "
            "GitHub Actions: actions/checkout with `fetch-depth: 0`)"
        )
    return f"{message} (a branch, a tag or a commit of this repository)"


def build_files_at(config: Config, ref: str) -> dict[str, bytes]:
    """The project's build/ at ``ref``."""
    return git_build_files(config.root, ref, config.display(config.build_dir).rstrip("/"))


def _read(data: bytes | None, kind: str, where: str) -> Any:
    """A build file's JSON object; a dashboard as its v1 model, whichever schema build
    wrote, so the differences read the same. ``where``: the file, and the revision, for
    an error (a file committed with merge conflict markers, say)."""
    if data is None:
        return None
    try:
        found = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    if not isinstance(found, dict):
        raise ConfigError(f"{where}: a JSON {type(found).__name__}, where build writes an object")
    return v1_model(found) if kind == "dashboard" else found


def _resource(kind: str, path: str, body: JSON) -> Resource:
    if kind == "policy":
        return Resource(kind, "policies", "", None)
    name = str(body.get("name" if kind == "datasource" or kind in BY_SETTING else "title", ""))
    if kind == "alert-group":
        key = f"{body.get('folderUid')}/{body.get('title')}"
    else:
        key = str(body.get("uid") or path.rsplit("/", 1)[-1].removesuffix(".json"))
    return Resource(kind, key, name, body.get("folderUid") if kind != "folder" else None)


def _details(kind: str, old: JSON, new: JSON, ref: str) -> list[str]:
    if kind == "dashboard":
        return dashboard_changes(old, new)
    if kind == "alert-group":
        return group_changes(old, new)
    if kind == "datasource":
        return datasource_changes(old, new)
    if kind == "policy":
        return tree_changes(old, new, (ref, "working tree"))
    if kind in BY_SETTING:
        return [value_change(where, a, b) for where, a, b in leaf_changes(old, new)]
    return [
        value_change(key, old.get(key), new.get(key))
        for key in FOLDER_FIELDS
        if old.get(key) != new.get(key)
    ]


def diff_against(
    ref: str,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
    selection: Selection,
    build_dir: str = "build",
) -> Plan:
    """What changed in ``build_dir`` since ``ref`` (its files then, ``before``, and now),
    for every kind build writes, as a plan."""
    plan = Plan(against=ref)
    for path in sorted(set(before) | set(after)):
        kind = next((k for prefix, k in KINDS_BY_DIR.items() if path.startswith(prefix)), None)
        if kind is None or not path.endswith(".json"):
            continue
        old = _read(before.get(path), kind, f"{build_dir}/{path} at {ref}")
        new = _read(after.get(path), kind, f"{build_dir}/{path}")
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
            details = _details(kind, old, new, ref) or [Detail("changed (formatting only)")]
            plan.changes.append(
                Change(resource, Action.UPDATE, reason=f"changed since {ref}", details=details)
            )
    return plan
