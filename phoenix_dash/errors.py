"""Error types. Every user-facing error carries the place it points at (file:line or a
config key path) so the CLI can print it as one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something came from: a file and line, optionally a key path inside it."""

    file: str
    line: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}" if self.path else where


class PhoenixDashError(Exception):
    """Base class of the errors the CLI reports as one line."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message, location)  # both in args, so the error pickles whole
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ConfigError(PhoenixDashError):
    """A project file (phoenix-dash.yaml, the metric catalog, ...) is unreadable or invalid."""


class DefinitionError(PhoenixDashError):
    """A dashboard or alert module fails to load, or defines something invalid."""
