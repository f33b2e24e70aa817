"""Load dashboard modules: run each Python file under ``dashboards/`` and collect the grafanalib
Dashboard it defines, as plain JSON stamped with the source line of every object.

A module defines ``dashboard`` (grafanalib's own convention) or ``dashboards`` (a list). Files
whose name starts with ``_`` are helpers for the others and are not loaded on their own.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar

from .build_inputs import discovering
from .errors import DefinitionError, Location, PhoenixDashError
from .generated_code import serving_attrs
from .provenance import SourceTracker, stamp, tracking
from .workers import in_background

T = TypeVar("T")
DASHBOARD_NAMES = ("dashboards", "dashboard")
UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")


@dataclass(frozen=True)
class LoadedDashboard:
    uid: str
    title: str
    raw: dict[str, Any]  # grafanalib's JSON, with SOURCE_KEY stamps
    location: Location


def discover(directory: Path, check_links: bool = True) -> list[Path]:
    """Definition modules under ``directory``, in a stable order. A link that loops or leads
    nowhere is an error naming it (Python would otherwise fail deep inside the import), unless
    not ``check_links`` (the manifest's check only compares names)."""
    if not directory.is_dir():
        return []
    with discovering(directory) as found:
        found += sorted(
            path
            for path in directory.rglob("*.py")
            if not any(part.startswith(("_", ".")) for part in path.relative_to(directory).parts)
        )
    for path in found if check_links else []:
        try:
            path.resolve(strict=True)
        except RuntimeError:  # pathlib's word for a symlink loop (Python 3.11, 3.12)
            raise DefinitionError("a symbolic link that loops", Location(str(path))) from None
        except OSError as exc:
            problem = (
                "a symbolic link that loops"
                if exc.errno == errno.ELOOP
                else f"a link to {os.readlink(path)}, which does not exist"
                if path.is_symlink()
                else exc.strerror
            )
            raise DefinitionError(str(problem), Location(str(path))) from None
    return found


def _inside(module: ModuleType, root: Path) -> bool:
    """Whether ``module`` is the project's: its file, or for a package without __init__.py
    (a namespace package, no file) its directories, are under ``root``."""
    places = [getattr(module, "__file__", None) or "", *(getattr(module, "__path__", None) or [])]
    return any(str(place).startswith(str(root) + os.sep) for place in places)


class ModuleRunner:
    """Runs definition modules with the project root importable and, when ``track``, the
    source line of every grafanalib object recorded (what lint and located errors need)."""

    def __init__(self, root: Path, track: bool = True) -> None:
        self.root = root.resolve()
        self.tracker = SourceTracker(self.root, self.display)
        self.track = track

    @functools.cache  # noqa: B019 - one runner per load; few distinct files
    def display(self, filename: str) -> str:
        try:
            return str(Path(filename).resolve().relative_to(self.root))
        except ValueError:
            return filename

    @contextmanager
    def session(self) -> Iterator[None]:
        """Make the project importable (its modules always compiled from the source on disk),
        track sources, and forget project modules afterwards so a later load (tests,
        --watch) sees edited helpers."""
        with serving_attrs(), self._importable():  # attrs code served from generated_code.py
            yield

    @contextmanager
    def _importable(self) -> Iterator[None]:
        # grafanalib first, from where it is installed: with the project first on sys.path,
        # a project directory that happens to be called grafanalib would shadow it.
        import grafanalib.core  # noqa: F401

        before = set(sys.modules)
        sys.path.insert(0, str(self.root))
        finder = ProjectSourceFinder(self.root)
        sys.meta_path.insert(0, finder)
        try:
            with tracking(self.tracker) if self.track else contextlib.nullcontext():
                yield
        finally:
            sys.meta_path.remove(finder)
            sys.path.remove(str(self.root))
            # All judged before any goes: a namespace package's path is read from its parent.
            project = [n for n in set(sys.modules) - before if _inside(sys.modules[n], self.root)]
            for name in project:
                del sys.modules[name]

    def run(self, path: Path, index: int) -> ModuleType:
        """Execute one module file; any failure becomes a one-line DefinitionError."""
        file = str(path.resolve())
        self.tracker.module_file = file
        safe_stem = re.sub(r"\W", "_", path.stem)
        name = f"_phoenix_dash_definitions_{index}_{safe_stem}"
        spec = importlib.util.spec_from_file_location(name, file, loader=SourceLoader(name, file))
        if spec is None or spec.loader is None:
            raise DefinitionError("cannot load as a Python module", Location(self.display(file)))
        module = importlib.util.module_from_spec(spec)
        try:
            # What a module prints is for its author, never part of a command's output
            # (which --format json keeps machine-readable): it goes to stderr.
            with output_to_stderr():
                spec.loader.exec_module(module)
        except SyntaxError as exc:
            where = Location(self.display(exc.filename or file), exc.lineno)
            raise DefinitionError(f"syntax error: {exc.msg}", where) from None
        except PhoenixDashError:
            raise  # e.g. a values file the module read: already names its own location
        except (Exception, SystemExit) as exc:
            raise DefinitionError(_exception_text(exc), self._raise_site(exc, file)) from None
        return module

    def load(self, path: Path, index: int) -> list[LoadedDashboard]:
        """Run one module; its dashboards, each with a valid uid (unique only within it)."""
        from grafanalib.core import Dashboard  # here: a committed build is used without it

        module_loc = Location(self.display(str(path)), 1)
        module = None
        try:
            module = self.run(path, index)
            dashboards = [
                _load_one(
                    d,
                    self.tracker.location_of(d) or module_loc,
                    self.tracker if self.track else None,
                )
                for d in defined(module, module_loc, DASHBOARD_NAMES, Dashboard)
            ]
        finally:
            self.tracker.forget()
            if module is not None:
                # A module's functions and its namespace refer to each other: with the
                # cyclic collector paused (workers.paused_gc) the module and every grafanalib
                # object it made would stay alive to the end of the build. Emptying the
                # namespace lets reference counting free them now.
                module.__dict__.clear()
        check_unique_uids(dashboards)
        return dashboards

    def _raise_site(self, exc: BaseException, module_file: str) -> Location:
        """The innermost frame of the traceback inside the project (else the module itself)."""
        frames = traceback.extract_tb(exc.__traceback__)
        for frame in reversed(frames):
            if frame.filename.startswith(str(self.root)) and "site-packages" not in frame.filename:
                return Location(self.display(frame.filename), frame.lineno)
        return Location(self.display(module_file), 1)


class SourceLoader(importlib.machinery.SourceFileLoader):
    """Runs a project module as it is on disk now. Python trusts a cached ``.pyc`` on the
    source's size and whole-second modification time, so an edit within the same second, or
    a checkout of a change of the same size, would run the old code. Here a cache entry is
    used only when it carries the hash of the source as it is (Python's "checked hash"
    form, PEP 552), and written in that form: as fast as a cache, never stale."""

    def get_code(self, fullname: str) -> Any:
        source = self.get_data(self.path)
        digest = importlib.util.source_hash(source)
        cached = importlib.util.cache_from_source(self.path)
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            data = self.get_data(cached)
            if data[:16] == importlib.util.MAGIC_NUMBER + CHECKED_HASH + digest:
                return marshal.loads(data[16:])
        code = self.source_to_code(source, self.path)
        if not sys.dont_write_bytecode:
            header = importlib.util.MAGIC_NUMBER + CHECKED_HASH + digest
            self.set_data(cached, header + marshal.dumps(code))  # atomic; quiet on failure
        return code


CHECKED_HASH = (0b11).to_bytes(4, "little")  # a .pyc's flags: hash-based, checked (PEP 552)


class ProjectSourceFinder(importlib.abc.MetaPathFinder):
    """Finds the project's own modules (the helpers dashboards and alerts import) with
    ``SourceLoader``; everything else is left to Python's finders."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)

    def _inside(self, entry: str) -> bool:
        inside = entry == self.root or entry.startswith(self.root + os.sep)
        return inside and "site-packages" not in entry

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        search = [self.root] if path is None else [p for p in path if self._inside(str(p))]
        if not search:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, search, target)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        if not self._inside(str(spec.origin)):
            return None
        spec.loader = SourceLoader(fullname, str(spec.origin))
        return spec


@contextmanager
def output_to_stderr() -> Iterator[None]:
    """Everything written to standard output meanwhile goes to standard error: Python's
    ``print`` and the file descriptor itself (``os.write(1, ...)``, a subprocess)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no descriptor 1 or 2 to work with: sys.stdout is all there is
        saved = -1
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if saved >= 0:
            os.dup2(saved, 1)
            os.close(saved)


def _exception_text(exc: BaseException) -> str:
    # attrs validators raise TypeError(message, attribute, type, value): keep the message.
    args = exc.args
    text = args[0] if len(args) > 1 and isinstance(args[0], str) else str(exc)
    message = " ".join(text.split()) or "(no message)"
    return f"{type(exc).__name__}: {message}"


LEAF_TYPES = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any, tracker: SourceTracker | None = None) -> Any:
    """grafanalib objects to JSON-ready values, stamping each dict with its source line.

    None (grafanalib's "unset") is dropped on the way, as Grafana wants such keys absent.
    """
    # Hot path (hundreds of thousands of values per build): leaves are handled inline.
    kind = type(value)
    if kind in LEAF_TYPES:
        return value
    if kind is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in LEAF_TYPES else to_plain(v, tracker)
            for k, v in value.items()
            if v is not None
        }
    if kind is list or kind is tuple:
        return [
            v if type(v) in LEAF_TYPES else to_plain(v, tracker) for v in value if v is not None
        ]
    if isinstance(value, (str, int, float)):  # subclasses, e.g. a str Enum
        return value
    if isinstance(value, dict):
        return to_plain(dict(value), tracker)
    if isinstance(value, (list, tuple)):
        return to_plain(list(value), tracker)
    to_json = getattr(value, "to_json_data", None)
    if to_json is None:
        raise TypeError(f"cannot turn {type(value).__name__} into JSON")
    data = to_plain(to_json(), tracker)
    where = tracker.location_of(value) if tracker is not None else None
    if isinstance(data, dict) and where is not None:
        data.update(stamp(where))
    return data


def defined(
    module: ModuleType, module_loc: Location, names: tuple[str, str], expected: type
) -> list[Any]:
    """What a module defines under ``names`` (the plural, a list, or the singular)."""
    plural, singular = names
    name = next((n for n in names if hasattr(module, n)), None)
    if name is None:
        raise DefinitionError(
            f"defines no {expected.__name__} (expected a module-level `{singular}` or `{plural}`)",
            module_loc,
        )
    value = getattr(module, name)
    found = list(value) if name == plural and isinstance(value, (list, tuple)) else [value]
    wrong = next((item for item in found if not isinstance(item, expected)), None)
    if wrong is not None or not found:
        where = Location(module_loc.file, _assignment_line(module, name) or module_loc.line)
        what = (
            f"holds a {type(wrong).__name__}, not a grafanalib {expected.__name__}"
            if found
            else "is empty"
        )
        raise DefinitionError(f"`{name}` {what}", where)
    return found


def _assignment_line(module: ModuleType, name: str) -> int | None:
    """The line of the last top-level assignment to ``name`` (for errors about its value)."""
    try:
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    lines = [
        node.lineno
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id == name
    ]
    return lines[-1] if lines else None


def on_module_thread(work: Callable[[], T]) -> T:
    """``work`` (that runs project modules) done on a daemon thread: the threads a module
    starts are daemons too (a thread inherits it), so none can keep the command alive once
    it is done, nor swallow a Ctrl-C while Python waits for it at exit."""
    return in_background(work)()


def load_dashboards(root: Path, directory: Path) -> list[LoadedDashboard]:
    """Load every dashboard module under ``directory``; uids must be valid and unique."""
    return on_module_thread(lambda: _load_dashboards(root, directory))


def _load_dashboards(root: Path, directory: Path) -> list[LoadedDashboard]:
    runner = ModuleRunner(root)
    loaded: list[LoadedDashboard] = []
    with runner.session():
        for index, path in enumerate(discover(directory)):
            loaded += runner.load(path, index)
    check_unique_uids(loaded)
    return loaded


class Identified(Protocol):
    @property
    def uid(self) -> str: ...
    @property
    def location(self) -> Location: ...


def check_unique_uids(items: Iterable[Identified]) -> None:
    """Raise at the second definition of a uid, naming the first."""
    first: dict[str, Location] = {}
    for item in items:
        if item.uid in first:
            raise DefinitionError(
                f"dashboard uid {item.uid!r} is already used at {first[item.uid]}", item.location
            )
        first[item.uid] = item.location


def _load_one(dashboard: Any, where: Location, tracker: SourceTracker | None) -> LoadedDashboard:
    uid = dashboard.uid
    if not uid:
        raise DefinitionError(f"dashboard {dashboard.title!r} has no uid; set a stable uid", where)
    if not isinstance(uid, str) or not UID_RE.match(uid):
        raise DefinitionError(
            f"dashboard uid {uid!r} is invalid: Grafana allows 1-40 characters of [a-zA-Z0-9_-]",
            where,
        )
    try:
        raw = to_plain(dashboard, tracker)
    except Exception as exc:  # grafanalib's to_json_data on a bad attribute value
        message = f"cannot render dashboard {uid!r}: {_exception_text(exc)}"
        raise DefinitionError(message, where) from None
    return LoadedDashboard(uid=uid, title=str(dashboard.title), raw=raw, location=where)
