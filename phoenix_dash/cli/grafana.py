"""Connecting to Grafana, as every command that talks to it does, and `phoenix-dash ping`."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from . import main
from .common import (
    config_option,
    echo_json,
    format_option,
    project_config,
    say_when_quiet,
    style,
    verbose_option,
)

if TYPE_CHECKING:
    from ..config import Config
    from ..grafana.connection import GrafanaConnection


def connect(
    config: Config,
    grafana: Mapping[str, Any] | None = None,
    verbose: bool = False,
    check: bool = True,
) -> GrafanaConnection:
    """A connection with the project's Grafana settings, or ``grafana`` instead (an
    environment's, a preview's); ``check`` first makes sure the URL is a Grafana API root."""
    from ..grafana.connection import GrafanaConnection
    from ..grafana.settings import credentials_from, settings_from
    from ..grafana.transport import SecretFilter

    settings = settings_from(
        config.grafana if grafana is None else grafana, config.file, os.environ
    )
    credentials = credentials_from(settings, os.environ, config.root)
    connection = GrafanaConnection(settings, credentials)
    for warning in connection.warnings:
        click.echo(f"warning: {warning}", err=True)
    say_when_quiet(connection)
    if check:
        connection.check_api()
    if verbose:
        import logging  # only for --verbose: not every command's start-up

        handler = logging.StreamHandler()
        handler.addFilter(SecretFilter(credentials))
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logger = logging.getLogger("phoenix_dash")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    return connection


@main.command()
@config_option
@format_option("json")
@verbose_option
def ping(config_path: str | None, fmt: str, verbose: bool) -> None:
    """Check that Grafana answers, who we are there, and what we may write."""
    from ..grafana import doctor

    config = project_config(config_path)
    connection = connect(config, verbose=verbose, check=False)
    # checks the API root itself, and says more
    report = doctor.ping(connection, config.grafana, config.file)
    if fmt == "json":
        echo_json(
            {
                "url": connection.settings.url,
                "ok": report.exit_code == 0,
                "checks": [vars(check) for check in report.checks],
                "error": str(report.fatal) if report.fatal else None,
            }
        )
        sys.exit(report.exit_code)
    paint = style()
    for check in report.checks:
        mark = paint("ok", fg="green") if check.ok else paint("FAIL", fg="red")
        click.echo(f"{mark:>4}  {check.name:18} {check.detail}")
    if report.fatal is not None:
        click.echo(f"error: {report.fatal}", err=True)
    sys.exit(report.exit_code)
