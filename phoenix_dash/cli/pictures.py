"""``phoenix-dash render``: pictures of dashboards, without Grafana."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import main
from .common import (
    config_option,
    echo_written,
    format_option,
    optional_config,
    plural,
    project_config,
    prometheus_from_options,
    prometheus_options,
)

if TYPE_CHECKING:
    from ..config import Config
    from ..pictures import DataChoice


def data_choice(
    config: Config | None,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
    at: float | None = None,
) -> DataChoice:
    """Live data with --prometheus (connection settings as `check`'s), else synthetic."""
    from ..pictures import DataChoice
    from ..quantities import parse_duration

    catalog = None
    if config is not None and config.catalog_file is not None:
        from ..catalog import load_catalog

        catalog = load_catalog(config.catalog_file, config.display(config.catalog_file))
    if prometheus_url is None:
        return DataChoice(catalog)
    settings = prometheus_from_options(config, prometheus_url, headers, ca_bundle)
    scrape = parse_duration(config.scrape_interval) if config is not None else 15.0
    return DataChoice(catalog, settings, scrape, at)


@main.command()
@config_option
@click.option("--only", multiple=True, help="A dashboard uid (repeatable; default: all).")
@click.option(
    "--dashboard-file",
    "files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Draw this dashboard JSON (an export, a pulled file, schema v2) instead of the "
    "project's (repeatable).",
)
@click.option(
    "--out",
    default="pictures",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory for the PNG and SVG files.",
)
@prometheus_options
@click.option(
    "--at",
    type=float,
    help="With --prometheus: the end of the time range, in Unix seconds (default: now).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes drawing (default: the number of CPUs, at most 8).",
)
@format_option("json")
def render(
    config_path: str | None,
    only: tuple[str, ...],
    files: tuple[str, ...],
    out: str,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
    at: float | None,
    jobs: int | None,
    fmt: str,
) -> None:
    """Draw each dashboard as Grafana shows it (PNG and SVG), with no Grafana: its grid,
    rows and panels, with live data from --prometheus or deterministic synthetic data."""
    from ..dashboard_file import read_dashboard
    from ..pictures import chosen, dashboard_pictures, write_pictures

    config = optional_config(config_path) if files else project_config(config_path)
    if files:
        dashboards = [read_dashboard(Path(f)).data for f in files]
    else:
        from ..build import build_project

        assert config is not None
        dashboards = [d.clean for d in build_project(config, with_sources=False).dashboards]
    choice = data_choice(config, prometheus_url, headers, ca_bundle, at)
    from ..render import default_jobs

    pictures = dashboard_pictures(chosen(dashboards, only), choice, jobs or default_jobs())
    written = write_pictures(Path(out), pictures)
    summary = f"{plural(len(written) // 2, 'dashboard')} drawn into {out}/"
    echo_written(written, fmt, "wrote", summary)
