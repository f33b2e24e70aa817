"""`phoenix-dash adopt`: dashboards' JSON into grafanalib modules."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from .common import config_option, echo_json, format_option, project_config


@main.command()
@click.argument("json_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@config_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Module to write, for a single file (default: dashboards/<title>.py).",
)
@click.option("--force", is_flag=True, help="Replace modules that exist.")
@format_option("json")
def adopt(
    json_files: tuple[str, ...], config_path: str | None, out: str | None, force: bool, fmt: str
) -> None:
    """Turn dashboards' JSON (exports, or files `pull` wrote) into grafanalib modules."""
    from ..adopt import adopt_files
    from ..build import modernize_context

    config = project_config(config_path)
    written = adopt_files(
        [Path(f) for f in json_files],
        modernize_context(config),
        config.dashboards_dir,
        Path(out) if out else None,
        force,
    )
    if fmt == "json":
        echo_json(
            {
                "adopted": [
                    {
                        "title": adopted.title,
                        "module": config.display(target),
                        "not_carried": adopted.not_carried,
                    }
                    for target, adopted in written
                ]
            }
        )
        return
    for target, adopted in written:
        click.echo(f"adopted {adopted.title!r} into {config.display(target)}")
        if adopted.not_carried:
            click.echo(
                "  not carried over (grafanalib has no place for them): "
                + ", ".join(adopted.not_carried)
            )
