"""`diff --against REF`: the build at a git revision against the working tree's build, as the
same plan sync shows, with no Grafana at all (for reviewing a pull request)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ..build import Build
from ..config import Config
from ..dashboard_file import v1_model
from ..errors import ConfigError
from .diffing import dashboard_changes, group_changes
from .model import Action, Change, Plan, Resource
from .options import Selection

KINDS_BY_DIR = {"dashboards/": "dashboard", "alerts/grafana/": "alert-group"}


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


def _read(data: bytes | None, kind: str) -> Any:
    """A build file's JSON; a dashboard as its v1 model, whichever schema build wrote, so
    the differences read the same."""
    if data is None:
        return None
    found = json.loads(data)
    return v1_model(found) if kind == "dashboard" and isinstance(found, dict) else found


def diff_against(config: Config, build: Build, ref: str, selection: Selection) -> Plan:
    before = git_build_files(config.root, ref, config.display(config.build_dir))
    after = build.files()
    plan = Plan()
    for path in sorted(set(before) | set(after)):
        kind = next((k for prefix, k in KINDS_BY_DIR.items() if path.startswith(prefix)), None)
        if kind is None or not path.endswith(".json"):
            continue  # the YAML forms say the same as the JSON ones
        old = _read(before.get(path), kind)
        new = _read(after.get(path), kind)
        either = new or old or {}
        key = (
            path.rsplit("/", 1)[-1].removesuffix(".json")
            if kind == "dashboard"
            else f"{either.get('folderUid')}/{either.get('title')}"
        )
        resource = Resource(kind, key, str(either.get("title", "")), either.get("folderUid"))
        if not selection.keeps(resource):
            continue
        if old is None:
            plan.changes.append(Change(resource, Action.CREATE, reason=f"new since {ref}"))
        elif new is None:
            plan.changes.append(Change(resource, Action.DELETE, reason=f"removed since {ref}"))
        elif old == new:
            plan.changes.append(Change(resource, Action.UNCHANGED))
        else:
            details = (
                dashboard_changes(old, new) if kind == "dashboard" else group_changes(old, new)
            )
            plan.changes.append(
                Change(resource, Action.UPDATE, reason=f"changed since {ref}", details=details)
            )
    return plan
