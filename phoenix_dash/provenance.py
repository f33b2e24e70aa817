"""Remember which line of a dashboard module built each grafanalib object.

While modules load, the ``__init__`` of every attrs class in grafanalib is wrapped so that a new
object records the outermost stack frame inside the module being loaded: the call at the
module's top level that led to it, so objects built by a helper (in the module or in a shared
one) point at the line that asked for them, not at the helper. Objects built outside the module
(by a helper at import time) fall back to the innermost frame inside the project. The JSON
encoder later stamps that location on the dict the object becomes, under SOURCE_KEY, so errors
and lint findings can point at Python source lines.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from .errors import Location

# Where a JSON object came from, kept inside it while phoenix-dash works on it: the key and
# the "file:line" text are written, read and removed here only.
SOURCE_KEY = "__source__"
CONTAINERS = (dict, list)


def stamp(location: Location | None) -> dict[str, str]:
    """The stamp to merge into an object made at ``location`` (nothing without a line)."""
    if location is None or location.line is None:
        return {}
    return {SOURCE_KEY: f"{location.file}:{location.line}"}


def stamped_at(obj: Any) -> Location | None:
    """Where ``obj`` was made, if it carries a stamp."""
    text = obj.get(SOURCE_KEY) if isinstance(obj, dict) else None
    if isinstance(text, str):
        file, _, line = text.rpartition(":")
        if line.isdigit():
            return Location(file, int(line))
    return None


def strip_stamps(value: Any) -> Any:
    """A copy without the stamps, as JSON must be before it leaves phoenix-dash."""
    kind = type(value)
    if kind is dict:
        return {
            k: v if type(v) not in CONTAINERS else strip_stamps(v)
            for k, v in value.items()
            if k != SOURCE_KEY
        }
    if kind is list:
        return [v if type(v) not in CONTAINERS else strip_stamps(v) for v in value]
    return value


class SourceTracker:
    """Collects object -> Location while active. Objects are kept alive so ids stay unique."""

    def __init__(self, root: Path, display: Callable[[str], str]) -> None:
        self._root = str(root.resolve())
        self._display = display
        self._seen: dict[int, tuple[object, str, int]] = {}
        self.module_file: str | None = None

    def record(self, obj: object, frame: FrameType | None) -> None:
        outermost: FrameType | None = None
        fallback: FrameType | None = None
        while frame is not None:
            code = frame.f_code
            filename = code.co_filename
            if filename == self.module_file:
                outermost = frame
                if code.co_name == "<module>":
                    break  # the module's top level: no frame further out is in the module
            elif fallback is None and self._in_project(filename):
                fallback = frame
            frame = frame.f_back
        chosen = outermost or fallback
        if chosen is not None:  # resolved to a display path only when asked: this is hot
            self._seen[id(obj)] = (obj, chosen.f_code.co_filename, chosen.f_lineno)

    def forget(self) -> None:
        """Drop what was recorded (after each module: keeping every object alive costs
        memory and makes each garbage collection slower)."""
        self._seen.clear()

    def _in_project(self, filename: str) -> bool:
        return filename.startswith(self._root) and "site-packages" not in filename

    def location_of(self, obj: object) -> Location | None:
        entry = self._seen.get(id(obj))
        if entry is None or entry[0] is not obj:
            return None
        return Location(self._display(entry[1]), entry[2])


def _grafanalib_attrs_classes() -> list[type]:
    classes: list[type] = []
    import attr  # here, as grafanalib: a committed build is used without them
    import grafanalib

    for info in pkgutil.iter_modules(grafanalib.__path__, "grafanalib."):
        if info.name.startswith("grafanalib._"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional backend's dependency is missing
            continue
        for value in vars(module).values():
            if isinstance(value, type) and attr.has(value) and value.__module__ == info.name:
                classes.append(value)
    return classes


_CLASSES: list[type] | None = None


@contextmanager
def tracking(tracker: SourceTracker) -> Iterator[SourceTracker]:
    """Wrap grafanalib constructors for the duration of the block."""
    global _CLASSES
    if _CLASSES is None:
        from .library_panels import LibraryPanelUse  # a use of a library panel is a panel

        _CLASSES = [*_grafanalib_attrs_classes(), LibraryPanelUse]
    originals = {cls: cls.__dict__["__init__"] for cls in _CLASSES if "__init__" in cls.__dict__}
    for cls, init in originals.items():
        type.__setattr__(cls, "__init__", _wrap(init, tracker))
    try:
        yield tracker
    finally:
        for cls, init in originals.items():
            type.__setattr__(cls, "__init__", init)


def _wrap(init: Callable[..., None], tracker: SourceTracker) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        tracker.record(self, sys._getframe(1))

    return __init__
