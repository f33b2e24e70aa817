"""build/manifest.json: what produced build/, so that sync, diff and render can use build/
as committed (what the pull request's reviewers read) instead of running the project's
Python again, and can tell when they must not.

It records the content hash of every input the build read inside the project (the
settings file, each dashboard and alert module, the helpers and data files they open, the
catalog, datasources and notifications), the entries of every directory it listed (a new
module is a change), the versions of phoenix-dash, grafanalib and Python, the hash of every
file it wrote (a hand-edited build file is a change too), and the project files that read
environment variables: their output may differ where the build runs, so a build made
elsewhere is never served for them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from . import __version__
from .build_inputs import IGNORED_PARTS, Reads
from .errors import Location
from .loader import discover
from .output import existing_files, json_bytes

MANIFEST_FILE = "manifest.json"
FORMAT = 1
ABSENT = "absent"  # an input the build tried to open that did not exist
ABOUT = (
    "What produced this directory (phoenix-dash build). sync, diff and render use the "
    "directory as it is while all of it matches; see 'Syncing the committed build' in "
    "phoenix-dash's documentation."
)


class Stale(Exception):
    """build/ cannot be used as it is; ``str()`` says why, in the user's words."""


@dataclass(frozen=True)
class Manifest:
    versions: dict[str, str]
    settings: dict[str, str]  # the settings file -> sha256 of what builds read from it
    inputs: dict[str, str]  # project file -> sha256 (or ABSENT)
    listings: dict[str, list[str]]  # project directory -> its entries
    modules: dict[str, list[str]]  # directory -> the modules phoenix-dash found there
    environment: dict[str, list[str]]  # project file -> the variables it reads
    outputs: dict[str, str]  # file under build/ -> sha256
    # [uid, title, "file:line" where its Dashboard object was made], in the build's order.
    dashboards: list[list[str]] = field(default_factory=list)

    def same_apart_from_versions(self, other: Manifest) -> bool:
        return replace(self, versions={}) == replace(other, versions={})

    def to_bytes(self) -> bytes:
        return json_bytes({"about": ABOUT, "format": FORMAT, **self.__dict__})

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        found = orjson.loads(data)
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            raise ValueError("not a manifest this phoenix-dash reads")
        return cls(**{name: found[name] for name in cls.__dataclass_fields__})

    def dashboard_entries(self) -> list[tuple[str, str, Location]]:
        """(uid, title, where its Dashboard object was made), in the build's order."""
        found = []
        for uid, title, where in self.dashboards:
            file, _, line = where.rpartition(":")
            found.append(
                (uid, title, Location(file, int(line)) if line.isdigit() else Location(where))
            )
        return found


# The versions whose change may change build/: another phoenix-dash release or grafanalib is
# another build. Python's is recorded but not compared: neither renders differently by
# Python version, and a team's laptops and CD seldom run the same one.
RENDERING_VERSIONS = ("phoenix-dash", "grafanalib")


def current_versions() -> dict[str, str]:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return {
        "phoenix-dash": __version__,
        "grafanalib": installed_version("grafanalib"),
        "python": python,
    }


def installed_version(package: str) -> str:
    """The version of an installed package, without importing it: its ``.dist-info`` beside
    it names it (a millisecond; importlib.metadata scans every path entry, ten)."""
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin:
        beside = Path(spec.origin).parent.parent
        for info in beside.glob(f"{package}-*.dist-info"):
            return info.name[len(package) + 1 : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def make_manifest(
    root: Path,
    settings_file: str,
    reads: Reads,
    outputs: Mapping[str, bytes],
    dashboards: Iterable[tuple[str, str, Location]],
) -> Manifest:
    """The manifest of a build of the project at ``root`` that read ``reads``."""
    inputs = {rel: _file_hash(root / rel) for rel in sorted(reads.files - {settings_file})}
    listings = {
        rel: entries
        for rel in sorted(reads.listings)
        if (entries := _entries(root / rel)) is not None
    }
    environment = {file: sorted(names) for file, names in sorted(reads.environment.items())}
    return Manifest(
        current_versions(),
        {settings_file: _settings_hash(root / settings_file)},
        inputs,
        listings,
        dict(sorted(reads.modules.items())),
        environment,
        {path: _hash(data) for path, data in sorted(outputs.items())},
        [[uid, title, f"{where.file}:{where.line or 1}"] for uid, title, where in dashboards],
    )


def read_current(
    root: Path, build_dir: Path, owned: Collection[str]
) -> tuple[Manifest, dict[str, bytes]]:
    """The manifest and the files of ``build_dir`` when they are what the project's code
    gives now; raises Stale naming what is not."""
    display = _display(root, build_dir)
    try:
        manifest = Manifest.parse((build_dir / MANIFEST_FILE).read_bytes())
    except FileNotFoundError:
        message = f"{display}{MANIFEST_FILE} does not exist (run `phoenix-dash build`)"
        raise Stale(message) from None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise Stale(f"{display}{MANIFEST_FILE} cannot be read ({exc})") from None
    reasons = _version_changes(manifest) + _environment_readers(manifest)
    reasons += _input_changes(root, manifest)
    files = {rel: path.read_bytes() for rel, path in existing_files(build_dir, owned).items()}
    files.pop(MANIFEST_FILE, None)
    reasons += _output_changes(display, manifest, files)
    if reasons:
        more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
        raise Stale(reasons[0] + more)
    return manifest, files


def version_note(old: Manifest, new: Manifest) -> str | None:
    """For build --check, when the two differ in nothing but versions: what a difference of
    phoenix-dash's or grafanalib's means (another Python's means nothing)."""
    difference = _version_difference(old.versions, new.versions)
    if difference is None or not old.same_apart_from_versions(new):
        return None
    was, now = difference
    return (
        f"{MANIFEST_FILE} records {was}; this is {now}: the files are the same, but "
        "sync with this version builds from the code until build/ is built with it"
    )


def environment_notes(manifest: Manifest) -> list[str]:
    return [
        f"{file} reads {', '.join(names)} from the environment: sync and diff build the "
        "project from its code, never from the committed build"
        for file, names in manifest.environment.items()
    ]


def _version_changes(manifest: Manifest) -> list[str]:
    difference = _version_difference(manifest.versions, current_versions())
    return [f"it was built with {difference[0]}; this is {difference[1]}"] if difference else []


def _version_difference(then: Mapping[str, str], now: Mapping[str, str]) -> tuple[str, str] | None:
    """("phoenix-dash 0.1.0", "phoenix-dash 0.2.0"): the versions that differ, then and now."""
    differ = [
        name
        for name in RENDERING_VERSIONS
        if then.get(name) != now.get(name) and _compared(name, then, now)
    ]
    if not differ:
        return None

    def named(versions: Mapping[str, str]) -> str:
        return ", ".join(f"{name} {versions.get(name, '?')}" for name in differ)

    return named(then), named(now)


def _compared(name: str, then: Mapping[str, str], now: Mapping[str, str]) -> bool:
    # A development phoenix-dash (a checkout: 0.3.1.dev4+g1a2b3c) keeps its version from
    # one commit to the next, and two clones of one commit may be told different ones; its
    # version says nothing about its output, so it decides nothing. Releases are compared
    # exactly; a development checkout's guarantee is `build --check` in CI, which renders.
    if name != "phoenix-dash":
        return True
    return all(is_release(versions.get(name, "")) for versions in (then, now))


def is_release(version: str) -> bool:
    """A version PyPI can have: not a development one (.devN, +local, unknown)."""
    return bool(version) and ".dev" not in version and "+" not in version


def _environment_readers(manifest: Manifest) -> list[str]:
    return [
        f"{file} reads the environment ({', '.join(names)})"
        for file, names in manifest.environment.items()
    ]


def _input_changes(root: Path, manifest: Manifest) -> list[str]:
    reasons = [
        f"{rel} changed since the build (outside {', '.join(sorted(NOT_BUILD_SETTINGS))})"
        for rel, recorded in manifest.settings.items()
        if _settings_hash(root / rel) != recorded
    ]
    for rel, recorded in manifest.inputs.items():
        now = _file_hash(root / rel)
        if now != recorded:
            what = "was removed" if now == ABSENT else "is new" if recorded == ABSENT else "changed"
            reasons.append(f"{rel} {what} since the build")
    for rel, entries in manifest.listings.items():
        reasons += _entry_changes(rel, entries, _entries(root / rel) or [])
    for rel, modules in manifest.modules.items():
        found = discover(root / rel)
        reasons += _entry_changes(
            rel, modules, [p.relative_to(root / rel).as_posix() for p in found]
        )
    return reasons


def _entry_changes(directory: str, then: list[str], now: list[str]) -> list[str]:
    prefix = "" if directory == "." else directory.rstrip("/") + "/"
    new = [f"{prefix}{name} is new since the build" for name in now if name not in then]
    return new + [f"{prefix}{name} was removed since the build" for name in then if name not in now]


def _output_changes(display: str, manifest: Manifest, files: Mapping[str, bytes]) -> list[str]:
    reasons = []
    for rel, recorded in manifest.outputs.items():
        data = files.get(rel)
        if data is None:
            reasons.append(f"{display}{rel} is missing")
        elif _hash(data) != recorded:
            reasons.append(f"{display}{rel} was edited after the build")
    reasons += [
        f"{display}{rel} is not from the build" for rel in files if rel not in manifest.outputs
    ]
    return reasons


# Settings that sync, lint and preview read, never build: a new Grafana URL or lint policy
# leaves build/ as it is (environments' overlays apply when sync runs).
NOT_BUILD_SETTINGS = frozenset({"grafana", "sync", "environments", "lint"})


def _settings_hash(path: Path) -> str:
    import yaml

    try:
        data = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return ABSENT
    if isinstance(data, dict):
        data = {key: value for key, value in data.items() if key not in NOT_BUILD_SETTINGS}
    options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    return _hash(orjson.dumps(data, option=options, default=str))


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_hash(path: Path) -> str:
    try:
        return _hash(path.read_bytes())
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return ABSENT


def _entries(directory: Path) -> list[str] | None:
    """A directory's entries as a listing input (caches and hidden files left out)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    return sorted(n for n in names if n not in IGNORED_PARTS and not n.startswith("."))


def _display(root: Path, build_dir: Path) -> str:
    try:
        return build_dir.resolve().relative_to(root.resolve()).as_posix().rstrip("/") + "/"
    except ValueError:
        return str(build_dir).rstrip("/") + "/"
