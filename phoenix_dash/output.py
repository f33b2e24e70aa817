"""Canonical bytes for generated files, and writing a whole output tree all-or-nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson


def json_bytes(data: Any) -> bytes:
    """Sorted keys, 2-space indent, UTF-8, trailing newline: the same bytes on every run."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


@dataclass
class TreeChanges:
    """How a directory differs from the files that should be in it."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self, prefix: str) -> list[str]:
        marks = [("new", self.added), ("changed", self.changed), ("stale", self.removed)]
        return sorted(f"{prefix}{path} ({mark})" for mark, paths in marks for path in paths)


def existing_files(directory: Path, owned: Collection[str]) -> dict[str, Path]:
    """The files under ``directory``'s ``owned`` top-level entries (what the writer owns:
    another tool's files beside them, setuptools' build/lib say, are not its business)."""
    if not directory.is_dir():
        return {}
    return {
        path.relative_to(directory).as_posix(): path
        for top in directory.iterdir()
        if top.name in owned
        for path in ([top] if top.is_file() else top.rglob("*"))
        if path.is_file()
    }


def compare_tree(
    directory: Path, files: Mapping[str, bytes], owned: Collection[str]
) -> TreeChanges:
    """How ``directory`` differs from ``files``, within its ``owned`` top-level entries."""
    current = existing_files(directory, owned)
    changes = TreeChanges()
    for rel, data in sorted(files.items()):
        if rel not in current:
            changes.added.append(rel)
        elif current[rel].read_bytes() != data:
            changes.changed.append(rel)
    changes.removed = sorted(set(current) - set(files))
    return changes


def replace_tree(directory: Path, files: Mapping[str, bytes], owned: Collection[str]) -> None:
    """Make ``directory``'s ``owned`` top-level entries hold exactly ``files``, or leave it
    untouched if anything fails.

    The new tree is written beside the old one and swapped in with two renames; files of
    removed definitions disappear with the old tree. What is not ``owned`` is carried over
    into the new tree (renamed, not copied) before the swap, and back if it fails.
    """
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=parent))
    backup = parent / f".{directory.name}.old-{os.getpid()}"
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        had_old = directory.exists()
        foreign = [p for p in directory.iterdir() if p.name not in owned] if had_old else []
        carried: list[Path] = []
        try:
            for entry in foreign:
                os.rename(entry, staging / entry.name)
                carried.append(entry)
            if had_old:
                os.rename(directory, backup)
            try:
                os.rename(staging, directory)
            except OSError:
                if had_old:
                    os.rename(backup, directory)
                raise
        except OSError:
            for entry in carried:
                os.rename(staging / entry.name, entry)
            raise
        if had_old:
            _remove(backup)
    finally:
        if staging.exists():
            _remove(staging)


def _remove(tree: Path) -> None:
    """Remove a tree of our own, read-only files and folders included."""

    def writable_then_retry(function: Any, path: str, _: object) -> None:
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)

    shutil.rmtree(tree, onerror=writable_then_retry)
