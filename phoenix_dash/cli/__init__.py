"""The ``phoenix-dash`` command line. Commands parse options, call the library, print.

Each command imports what it needs when it runs, so `phoenix-dash build` does not pay for the
Grafana client or the linter at start-up.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__

if TYPE_CHECKING:
    from ..config import Config
    from ..errors import PhoenixDashError


def _config(path: str | None) -> Config:
    from ..config import find_config, load_config

    return load_config(Path(path)) if path else load_config(find_config(Path.cwd()))


def _fail(exc: PhoenixDashError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _no_style(text: str, **_: object) -> str:
    return text


def _style() -> Callable[..., str]:
    return click.style if sys.stdout.isatty() else _no_style


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phoenix-dash")
def main() -> None:
    """Dashboards and alerts as code for the Phoenix Orchestrator."""


from . import authoring, data, remote  # noqa: E402 - registers the commands

__all__ = ["authoring", "data", "main", "remote"]
