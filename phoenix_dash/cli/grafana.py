"""Connecting to Grafana, as every command that talks to it does, and `phoenix-dash ping`."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from . import main
from .common import config_option, echo_json, format_option, project_config, style, verbose_option

if TYPE_CHECKING:
    from ..config import Config
    from ..grafana.connection import GrafanaConnection

QUIET_SECONDS = 5.0


def connect(
    config: Config,
    grafana: Mapping[str, Any] | None = None,
    verbose: bool = False,
    check: bool = True,
) -> GrafanaConnection:
    """A connection with the project's Grafana settings, or ``grafana`` instead (an
    environment's, a preview's); ``check`` first makes sure the URL is a Grafana API root."""
    from ..grafana.connection import GrafanaConnection, SecretFilter
    from ..grafana.settings import credentials_from, settings_from

    settings = settings_from(
        config.grafana if grafana is None else grafana, config.file, os.environ
    )
    credentials = credentials_from(settings, os.environ, config.root)
    connection = GrafanaConnection(settings, credentials)
    for warning in connection.warnings:
        click.echo(f"warning: {warning}", err=True)
    _watch(connection)
    if check:
        connection.check_api()
    if verbose:
        handler = logging.StreamHandler()
        handler.addFilter(SecretFilter(credentials))
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logger = logging.getLogger("phoenix_dash")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    return connection


def _watch(connection: GrafanaConnection) -> None:
    """After a few seconds without an answer, say what the command is waiting for. The
    watcher ends with the connection (a weak reference): commands run in one process (the
    tests) must not pile up threads that wake forever."""
    ref = weakref.ref(connection)

    def watch() -> None:
        said = 0.0
        while True:
            time.sleep(0.5)
            watched = ref()
            if watched is None:
                return
            oldest = watched.waiting.oldest()
            url = watched.settings.url
            del watched
            if oldest is None:
                said = 0.0
                continue
            what, quiet, count = oldest
            if quiet >= QUIET_SECONDS and quiet - said >= QUIET_SECONDS:
                said = quiet
                click.echo(
                    f"waiting for {url}: no answer for "
                    f"{quiet:.0f} s ({what}, {count} request{'s' if count > 1 else ''} "
                    "open; Ctrl-C to stop)",
                    err=True,
                )

    threading.Thread(target=watch, daemon=True, name="phoenix-dash-watch").start()


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
