"""``phoenix-dash render``: pictures of dashboards, without Grafana."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import main
from .common import (
    build_source_options,
    config_option,
    echo_written,
    format_option,
    obtained_build,
    optional_config,
    plural,
    project_config,
    prometheus_client,
    prometheus_from_options,
    prometheus_options,
)

if TYPE_CHECKING:
    from ..committed_build import BuildSource
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


def say_missing_glyphs(missing: set[str]) -> None:
    """One line for every character no installed font draws (matplotlib warns per glyph)."""
    if missing:
        shown = "".join(sorted(missing)[:20]) + (" ..." if len(missing) > 20 else "")
        click.echo(
            f"warning: no font here draws {shown} (drawn as boxes; there is no colour "
            "emoji in pictures, and Debian's fonts-noto-cjk has Chinese, Japanese and Korean)",
            err=True,
        )


def live_data(choice: DataChoice, dashboards: list[dict[str, Any]]) -> DataChoice:
    """``choice`` with the live queries answered; those that failed or timed out are said
    on stderr (their panels say it too)."""
    from ..pictures import with_live_data

    assert choice.prometheus is not None
    api = prometheus_client(choice.prometheus, 8)
    answered = with_live_data(choice, dashboards, api)
    failed = answered.failed_queries()
    if failed:
        count = f"{len(failed)} {'query' if len(failed) == 1 else 'queries'}"
        click.echo(f"warning: {count} without data, e.g. {failed[0]}", err=True)
    return answered


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
@build_source_options
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
    source: BuildSource,
    fmt: str,
) -> None:
    """Draw each dashboard as Grafana shows it (PNG and SVG), with no Grafana: its grid,
    rows and panels, with live data from --prometheus or deterministic synthetic data."""
    from ..pictures import (
        Source,
        chosen,
        dashboard_pictures,
        file_source,
        picture_names,
        write_pictures,
    )

    config = optional_config(config_path) if files else project_config(config_path)
    if files:
        sources = [file_source(Path(f)) for f in files]
    else:
        assert config is not None
        built = obtained_build(config, source).started.finish().dashboards
        sources = [Source(str(d.location), d.clean) for d in built]
    named = picture_names(chosen(sources, only))
    choice = data_choice(config, prometheus_url, headers, ca_bundle, at)
    if choice.prometheus is not None:
        choice = live_data(choice, list(named.values()))
    from ..render import default_jobs

    drawing = dashboard_pictures(named, choice, jobs or default_jobs())
    written = write_pictures(Path(out), drawing.files)
    say_missing_glyphs(drawing.missing_glyphs)
    summary = f"{plural(len(written) // 2, 'dashboard')} drawn into {out}/"
    echo_written(written, fmt, "wrote", summary)
