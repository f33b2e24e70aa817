"""What a build reads inside the project: the files it opens, the directories it lists, and
the environment variables the project's own code reads. The manifest (manifest.py) records
them, so that a later command can tell whether build/ is still what the code gives.

Files and listings are seen through Python's audit events (PEP 578: "open", "os.listdir",
"os.scandir"): a helper module, a YAML file a dashboard reads with open() or pathlib, the
directory a module globs are all seen, with nothing asked of the project. Environment reads
are seen by standing in for ``os.environ`` while a capture runs; only names are kept, never
values (they may be secrets).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from .generated_code import cache_dir

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))  # phoenix-dash itself: its version
# Never project inputs: caches, hidden directories (.git, .venv), installed packages.
IGNORED_PARTS = frozenset({"__pycache__", "site-packages", "dist-packages", "node_modules"})
LISTING_EVENTS = frozenset({"os.listdir", "os.scandir"})
WHOLE_ENVIRONMENT = "*"  # what iterating over os.environ reads


@dataclass
class Reads:
    """Paths relative to the project root (POSIX form)."""

    files: set[str] = field(default_factory=set)
    listings: set[str] = field(default_factory=set)
    environment: dict[str, set[str]] = field(default_factory=dict)  # reading file -> names
    modules: dict[str, list[str]] = field(default_factory=dict)  # discovered, by directory

    def update(self, other: Reads) -> None:
        self.files |= other.files
        self.listings |= other.listings
        self.modules.update(other.modules)
        for file, names in other.environment.items():
            self.environment.setdefault(file, set()).update(names)


@dataclass
class _Capture:
    roots: tuple[str, ...]  # the project root as given and as resolved
    excluded: tuple[str, ...]  # build/ (what the build writes is not what it reads)
    reads: Reads

    def relative(self, path: str) -> str | None:
        """``path`` relative to the project, if it is a project input."""
        for root in self.roots:
            if path.startswith(root + os.sep):
                break
        else:
            return None
        if any(path == e or path.startswith(e + os.sep) for e in self.excluded):
            return None
        rel = path[len(root) + 1 :]
        parts = rel.split(os.sep)
        if any(p in IGNORED_PARTS or p.startswith(".") for p in parts[:-1]):
            return None
        return "/".join(parts) if parts[-1] not in IGNORED_PARTS else None

    def relative_dir(self, path: str) -> str | None:
        """A directory's path relative to the project ("." for the root itself)."""
        if path in self.roots:
            return "."
        return self.relative(path)


_captures: list[_Capture] = []
_hook_installed = False
_discovering = 0  # phoenix-dash's own discovery runs: its listings are noted as modules


@contextmanager
def discovering(directory: Path) -> Iterator[list[Path]]:
    """Around phoenix-dash's discovery of the modules under ``directory``: the modules it
    finds (the list the block fills) are the input, not every entry of every directory it
    walks (an alert test added beside the rules changes no build)."""
    global _discovering
    found: list[Path] = []
    _discovering += 1
    try:
        yield found
    finally:
        _discovering -= 1
    for current in _captures:
        rel = current.relative_dir(os.path.abspath(directory))
        if rel is not None:
            current.reads.modules[rel] = sorted(p.relative_to(directory).as_posix() for p in found)


@contextmanager
def capture(root: Path, build_dir: Path) -> Iterator[Reads]:
    """Record what is read under ``root`` (but not under ``build_dir``) while the block runs,
    in every thread of this process (a build runs nothing else meanwhile) and, when forked
    workers render, in each of them (they return their own captures)."""
    global _hook_installed
    given, resolved = os.path.abspath(root), os.path.realpath(root)
    cache = cache_dir()  # never an input, even where it is set inside the project
    caches = [os.path.abspath(cache)] if cache is not None else []
    excluded = (os.path.abspath(build_dir), os.path.realpath(build_dir), PACKAGE_DIR, *caches)
    current = _Capture((given, resolved), excluded, Reads())
    if not _hook_installed:
        sys.addaudithook(_on_event)  # for the process's life: audit hooks cannot be removed
        _hook_installed = True
    _captures.append(current)
    environ = os.environ
    if not isinstance(environ, _RecordingEnviron):
        os.environ = _RecordingEnviron(environ)  # type: ignore[assignment]  # noqa: B003
    try:
        yield current.reads
    finally:
        _captures.remove(current)
        if not _captures and isinstance(os.environ, _RecordingEnviron):
            os.environ = os.environ.inner  # type: ignore[assignment]  # noqa: B003


def captured() -> Reads | None:
    """What the captures running in this process have recorded (a forked worker's own
    reads, to send back), or None when nothing is being recorded."""
    if not _captures:
        return None
    found = Reads()
    for current in _captures:
        found.update(current.reads)
    return found


def _on_event(event: str, args: tuple[Any, ...]) -> None:
    if not _captures or (event != "open" and event not in LISTING_EVENTS):
        return
    raw = args[0] if args else None
    if raw is None or isinstance(raw, int):  # a file descriptor: opened (and seen) before
        return
    if event in LISTING_EVENTS and (_discovering or _by_import_system()):
        return  # Python's import system listing a directory: the modules it finds count
    try:
        path = os.path.abspath(os.fsdecode(raw))
    except (TypeError, ValueError):
        return
    for current in _captures:
        rel = current.relative(path)
        if rel is not None:
            (current.reads.listings if event in LISTING_EVENTS else current.reads.files).add(rel)


def _by_import_system() -> bool:
    frame = sys._getframe(2)  # the hook, then the frame that listed
    return frame.f_code.co_filename.startswith("<frozen importlib")


def _project_reader() -> str | None:
    """The project file whose code is reading the environment now, if any: the first frame
    outside os, this module and frozen modules (os.getenv, Mapping.get)."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name not in (os.__file__, __file__) and not name.startswith("<frozen"):
            break
        frame = frame.f_back
    if frame is None:
        return None
    path = os.path.abspath(frame.f_code.co_filename)
    found = (c.relative(path) for c in _captures)
    return next((rel for rel in found if rel is not None), None)


class _RecordingEnviron(MutableMapping[str, str]):
    """``os.environ`` as the project's code sees it during a capture: every name it asks
    for is noted against the file asking (whether or not the variable is set)."""

    def __init__(self, inner: MutableMapping[str, str]) -> None:
        self.inner = inner

    def _note(self, name: str) -> None:
        reader = _project_reader()
        if reader is not None:
            for current in _captures:
                current.reads.environment.setdefault(reader, set()).add(str(name))

    def __getitem__(self, name: str) -> str:
        self._note(name)
        return self.inner[name]

    def get(self, name: str, default: Any = None) -> Any:
        self._note(name)
        return self.inner.get(name, default)

    def __contains__(self, name: object) -> bool:
        self._note(str(name))
        return name in self.inner

    def __iter__(self) -> Iterator[str]:
        self._note(WHOLE_ENVIRONMENT)
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)

    def __setitem__(self, name: str, value: str) -> None:
        self.inner[name] = value  # os.environ's own putenv

    def __delitem__(self, name: str) -> None:
        del self.inner[name]

    def copy(self) -> dict[str, str]:
        self._note(WHOLE_ENVIRONMENT)
        return dict(self.inner)

    def __repr__(self) -> str:
        return repr(self.inner)
