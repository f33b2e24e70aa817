"""`phoenix-dash init`: a new project for another team, from the templates in scaffold/: a
dashboard, an alert rule with its threshold and its promtool tests, a metric catalog, the
datasource, and a CI workflow. As generated, it builds, lints clean and passes test-alerts."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from . import __version__
from .errors import ConfigError

# Templates whose place in the project is not their place in scaffold/ (a wheel keeps no
# dot-files reliably; a .py template would be imported as part of phoenix_dash).
WORKFLOW = ".github/workflows/grafana.yml"
DESTINATIONS = {
    "ci/github-workflow.yml": WORKFLOW,
    "gitignore.tmpl": ".gitignore",
}


# In the CI workflow, where it installs phoenix-dash: the versions that wrote the project, as
# CD syncs the committed build only with the phoenix-dash and grafanalib that made it.
INSTALL_PLACEHOLDERS = ("@PHOENIX_DASH@", "@PHOENIX_DASH_RENDER@", "@GRAFANALIB@")


@dataclass(frozen=True)
class Pins:
    """What the workflow ``init`` writes installs."""

    phoenix_dash: str
    phoenix_dash_render: str
    grafanalib: str

    @property
    def note(self) -> str | None:
        if "==" in self.phoenix_dash:
            return None
        return (
            f"phoenix-dash {__version__} is a development version, which PyPI does not have: "
            f"{WORKFLOW} installs the latest release; pin the one you use there"
        )


def pins() -> Pins:
    """This phoenix-dash when it is a release (else the latest), and this grafanalib."""
    from .manifest import installed_version, is_release

    version = f"=={__version__}" if is_release(__version__) else ""
    grafanalib = installed_version("grafanalib")
    return Pins(
        f"phoenix-dash{version}",
        f"phoenix-dash[render]{version}",
        f"grafanalib=={grafanalib}" if is_release(grafanalib) else "grafanalib",
    )


def _pinned(content: bytes, chosen: Pins) -> bytes:
    text = content.decode("utf-8")
    values = (chosen.phoenix_dash, chosen.phoenix_dash_render, chosen.grafanalib)
    for placeholder, value in zip(INSTALL_PLACEHOLDERS, values, strict=True):
        text = text.replace(placeholder, value)
    return text.encode("utf-8")


def templates(chosen: Pins | None = None) -> dict[str, bytes]:
    """Destination path (relative to the project) -> content, the workflow's installs
    pinned to ``chosen`` (default: ``pins()``)."""
    chosen = chosen or pins()
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            relative = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{relative}/")
            else:
                destination = DESTINATIONS.get(relative, relative.removesuffix(".tmpl"))
                content = child.read_bytes()
                pinned = destination == WORKFLOW
                found[destination] = _pinned(content, chosen) if pinned else content

    walk(resources.files("phoenix_dash") / "scaffold", "")
    return found


def scaffold(directory: Path) -> list[Path]:
    """Write a new project into ``directory`` (created if need be), all of it or nothing:
    every path is checked first (a file where a folder belongs, a file that exists already),
    then the files are written into a temporary folder beside it and moved into place, so a
    failure on the way (a folder it may not write, a full disk) leaves nothing behind."""
    files = templates()
    target = directory.absolute()
    _check_paths(target, files, directory)
    anchor = next(parent for parent in [target, *target.parents] if parent.exists())
    moved: list[Path] = []
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".phoenix-dash-init-", dir=anchor))
        staged_project = staging / target.relative_to(anchor)
        for rel, data in files.items():
            path = staged_project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _move_into(staging, anchor, moved)
    except OSError as exc:
        for path in reversed(moved):
            _remove(path)
        where = exc.filename or anchor
        raise ConfigError(
            f"cannot write {where}: {exc.strerror or exc}; nothing was written"
        ) from None
    finally:
        if staging is not None:
            _remove(staging)
    return [directory / rel for rel in files]


def _check_paths(directory: Path, files: Mapping[str, bytes], shown: Path) -> None:
    """Every file must be new, and every folder on its way a folder (or not there yet).
    ``shown``: ``directory`` as the user named it."""
    taken = sorted(rel for rel in files if os.path.lexists(directory / rel))
    if taken:
        raise ConfigError(
            f"{shown} already has {', '.join(taken[:5])}"
            f"{' and more' if len(taken) > 5 else ''}: init writes into a new "
            "or empty project only; nothing was written"
        )
    folders = {directory} | {
        parent
        for rel in files
        for parent in (directory / rel).parents
        if directory in parent.parents
    }
    for folder in sorted([*folders, *directory.parents]):
        if folder.exists() and not folder.is_dir():
            named = (
                shown / folder.relative_to(directory)
                if folder.is_relative_to(directory)
                else folder
            )
            raise ConfigError(f"{named} is a file, where init needs a folder; nothing was written")


def _move_into(source: Path, destination: Path, moved: list[Path]) -> None:
    """Move what ``source`` holds into ``destination``: a whole new folder in one rename,
    into a folder that exists already entry by entry; ``moved`` records what now exists."""
    for child in sorted(source.iterdir()):
        target = destination / child.name
        if not os.path.lexists(target):
            os.rename(child, target)
            moved.append(target)
        else:  # a folder that exists (checked before anything was written)
            _move_into(child, target, moved)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
