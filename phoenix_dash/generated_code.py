"""A cache of the code that attrs and dataclasses generate when a class is defined.

Both write the source of each class's ``__init__``, ``__repr__``, ``__eq__``... and compile it
when the class is defined. Importing grafanalib defines some hundred attrs classes: compiling
their methods is 40 % of the import, 30-50 ms of every build, lint and test-alerts; compiling
phoenix-dash's own dataclasses is another 10-15 ms of every command. Python caches the
bytecode of modules (``.pyc``), never of code made at run time; this is that cache.

``compile`` is a pure function of its arguments (the source text, the file name, the mode,
the flags, the optimisation level) and of the Python version: code kept under those, for
that version, is the code ``compile`` would make again. The two libraries find the cache
under the names they call (``compile`` in attrs' ``_make``, ``exec`` in ``dataclasses``: a
module's global name comes before the builtin) while a block below runs. If a later version
stops calling through those names, nothing is served from the cache and everything works as
without it.

The cache is one file, in ``$PHOENIX_DASH_CACHE_DIR``, else ``$XDG_CACHE_HOME/phoenix-dash``,
else ``~/.cache/phoenix-dash``; ``PHOENIX_DASH_CACHE_DIR=off`` goes without. A cache that
cannot be read is ignored and made again; one that cannot be written is not an error.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import importlib.util
import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

CACHE_DIR_VARIABLE = "PHOENIX_DASH_CACHE_DIR"
FILE_NAME = f"generated-code-{sys.implementation.cache_tag}.marshal"
# A project's own classes are cached too; when the cache outgrows this, what the run did
# not use is dropped (build, lint and diff of this repository make about 500).
MAX_ENTRIES = 5000

Key = tuple[str, str, str, int, int]  # source, file name, mode, flags, optimisation level


def cache_dir() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    setting = os.environ.get(CACHE_DIR_VARIABLE)
    if setting is not None:
        return None if setting.strip() in ("", "off") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "phoenix-dash"


class CodeCache:
    """Compiled code by what compiled it, read from the cache file when first asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[Key, CodeType] | None = None
        self.used: set[Key] = set()
        self.added = 0

    def compile(self, source: str, filename: str, mode: str, flags: int, optimize: int) -> Any:
        if self._entries is None:
            self._entries = _read(self.path)
        level = sys.flags.optimize if optimize == -1 else optimize
        key = (source, filename, mode, flags, level)
        code = self._entries.get(key)
        if code is None:
            code = compile(source, filename, mode, flags, True, level)
            self._entries[key] = code
            self.added += 1
        self.used.add(key)
        return code

    def save(self) -> None:
        """Write the cache if this run added to it."""
        if not self.added or self._entries is None:
            return
        entries = self._entries
        if len(entries) > MAX_ENTRIES:
            entries = {key: code for key, code in entries.items() if key in self.used}
        _write(self.path, entries)


class CachedCompile:
    """``compile`` as attrs' module calls it."""

    def __init__(self, cache: CodeCache, module: ModuleType) -> None:
        self.cache = cache
        self.inherited = future_flags(module)  # what a call there inherits, made explicit

    def __call__(
        self,
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
    ) -> Any:
        if not dont_inherit:
            flags |= self.inherited
        if not isinstance(source, str) or not isinstance(filename, str):
            return compile(source, filename, mode, flags, True, optimize)  # not ours to keep
        return self.cache.compile(source, filename, mode, flags, optimize)


class CachedExec:
    """``exec`` as dataclasses calls it: always with the globals to run in."""

    def __init__(self, cache: CodeCache, module: ModuleType) -> None:
        self.cache = cache
        self.inherited = future_flags(module)

    def __call__(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if isinstance(source, str) and globals is not None:
            source = self.cache.compile(source, "<string>", "exec", self.inherited, -1)
        elif globals is None:  # the caller's namespace, as the builtin would take it
            caller = sys._getframe(1)
            globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
        builtins.exec(source, globals, locals)


_run_cache: CodeCache | None = None  # set while ``for_this_run`` runs


@contextmanager
def for_this_run() -> Iterator[None]:
    """The command line's whole run: dataclasses served from the cache at once, attrs from
    the first ``serving_attrs`` (the cache file is read when first needed, and saved at
    the end if it grew)."""
    global _run_cache
    directory = cache_dir()
    if directory is None or _run_cache is not None:
        yield
        return
    import dataclasses

    _run_cache = CodeCache(directory / FILE_NAME)
    try:
        with _patched(dataclasses, "exec", CachedExec(_run_cache, dataclasses)):
            yield
    finally:
        cache, _run_cache = _run_cache, None
        cache.save()


@contextmanager
def serving_attrs() -> Iterator[None]:
    """The block's attrs classes (grafanalib's, the project's) made with cached code: the
    run's cache, or else one read and saved for the block (phoenix-dash used as a library)."""
    directory = cache_dir()
    if directory is None:
        yield
        return
    import attr._make as make  # attrs comes with grafanalib

    if isinstance(make.__dict__.get("compile"), CachedCompile):  # an enclosing block's
        yield
        return
    cache = _run_cache or CodeCache(directory / FILE_NAME)
    try:
        with _patched(make, "compile", CachedCompile(cache, make)):
            yield
    finally:
        if cache is not _run_cache:
            cache.save()


@contextmanager
def _patched(module: ModuleType, name: str, value: object) -> Iterator[None]:
    setattr(module, name, value)
    try:
        yield
    finally:
        delattr(module, name)


def future_flags(module: ModuleType) -> int:
    """The compiler flags of the ``from __future__`` imports of ``module``: what a call to
    ``compile`` or ``exec`` there inherits."""
    flags = 0
    for name in __future__.all_feature_names:
        feature: __future__._Feature = getattr(__future__, name)
        if module.__dict__.get(name) is feature:
            flags |= feature.compiler_flag
    return flags


def _read(path: Path) -> dict[Key, CodeType]:
    try:
        magic, entries = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # none yet, or not one of ours
        return {}
    if magic != importlib.util.MAGIC_NUMBER or not isinstance(entries, dict):
        return {}
    return entries


def _write(path: Path, entries: dict[Key, CodeType]) -> None:
    """Replace the cache in one step (a command running beside reads the old or the new);
    a directory that cannot be written is left as it is."""
    import tempfile  # only when the cache grew

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".generated-code-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(marshal.dumps((importlib.util.MAGIC_NUMBER, entries)))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
