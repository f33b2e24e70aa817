"""`phoenix-dash preview`: the build in a Grafana (one started with Docker Compose, or at
--url), or with --local in a browser without any Grafana."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

import click

from ..errors import PhoenixDashError
from . import main
from .common import config_option, project_config
from .grafana import connect

if TYPE_CHECKING:
    from ..config import Config
    from ..preview import Preview


@main.command()
@config_option
@click.option(
    "--url", help="A running Grafana to preview in (default: start preview/ with Docker Compose)."
)
@click.option(
    "--watch",
    "watching",
    is_flag=True,
    help="Rebuild and re-sync on every change under dashboards/ and alerts/.",
)
@click.option("--compose-file", default="preview/docker-compose.yml", show_default=True)
@click.option(
    "--local",
    is_flag=True,
    help="No Grafana: serve the dashboards as render draws them, with their variables, "
    "time range and lint findings, redrawn on every save.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="With --local.")
@click.option("--port", default=8808, show_default=True, type=int, help="With --local.")
def preview(
    config_path: str | None,
    url: str | None,
    watching: bool,
    compose_file: str,
    local: bool,
    host: str,
    port: int,
) -> None:
    """Sync the build into a preview folder of a Grafana and print each dashboard's URL;
    with --local, show the dashboards in a browser without any Grafana."""
    from ..preview import preview_once, watch
    from ..preview_stack import start_stack, wait_healthy

    config = project_config(config_path)
    if local:
        _preview_locally(config, host, port)
        return
    if url is None:
        url = start_stack(config.root / compose_file, click.echo)
        if not (os.environ.get("GRAFANA_TOKEN") or os.environ.get("GRAFANA_USER")):
            # The stack's own admin (preview/docker-compose.yml), on loopback only.
            os.environ.update(GRAFANA_USER="admin", GRAFANA_PASSWORD="admin")
    # The stack may still be starting: wait_healthy checks the API root once it answers.
    connection = connect(config, {**config.grafana, "url": url}, check=False)
    wait_healthy(connection)
    if not watching:
        _show_preview(preview_once(config, connection))
        return
    from .. import workers

    # Not one command: a watch builds and syncs for as long as it lives, so the collector
    # keeps its usual work (workers.paused_gc).
    workers.PROCESS_RUNS_ONE_COMMAND = False
    stop = threading.Event()
    click.echo("watching dashboards/ and alerts/ (Ctrl-C to stop)")
    try:
        watch(config, connection, _show_preview, stop)
    except KeyboardInterrupt:
        stop.set()


def _preview_locally(config: Config, host: str, port: int) -> None:
    from .. import workers
    from ..pictures import require_matplotlib
    from ..preview_local import LocalPreview

    require_matplotlib()
    workers.PROCESS_RUNS_ONE_COMMAND = False  # a long-lived process (workers.paused_gc)
    local = LocalPreview(config, host, port)
    local.rebuild()
    if local.state.error:
        click.echo(f"error: {local.state.error}", err=True)
    click.echo(f"serving {local.url}/ (redrawn on every save; Ctrl-C to stop)")
    threading.Thread(target=local.watch, daemon=True).start()
    try:
        local.server.serve_forever()
    except KeyboardInterrupt:
        local.stopped.set()
        local.server.server_close()


def _show_preview(result: Preview | PhoenixDashError) -> None:
    if isinstance(result, PhoenixDashError):
        click.echo(f"error: {result}", err=True)
        return
    for finding in result.findings:
        click.echo(f"lint: {finding}", err=True)
    for failure in result.failed:
        click.echo(f"FAILED {failure}", err=True)
    for title, link in result.urls:
        click.echo(f"{title}: {link}")
