"""`phoenix-dash adopt`: dashboards' JSON into grafanalib modules."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Config, DatasourceRef
from ..errors import ConfigError, Location
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
@click.option(
    "--datasource",
    "datasources",
    multiple=True,
    metavar="NAME=DATASOURCE",
    help="Map an export's datasource input (DS_PROMETHEUS), or a datasource name or uid the "
    "JSON uses, to one of phoenix-dash.yaml's datasources. Repeatable.",
)
@format_option("json")
def adopt(
    json_files: tuple[str, ...],
    config_path: str | None,
    out: str | None,
    force: bool,
    datasources: tuple[str, ...],
    fmt: str,
) -> None:
    """Turn dashboards' JSON (exports, or files `pull` wrote) into grafanalib modules.
    Datasources are read as Grafana resolves them: an export's inputs (${DS_PROMETHEUS})
    and Grafana 7's names go to the project's datasource of their type, or as --datasource
    says."""
    from dataclasses import replace

    from ..adopt import adopt_files
    from ..build import modernize_context

    config = project_config(config_path)
    mapped = {
        name: _project_datasource(config, name, wanted) for name, wanted in map(_pair, datasources)
    }
    result = adopt_files(
        [Path(f) for f in json_files],
        replace(modernize_context(config), mapped_datasources=mapped),
        config.dashboards_dir,
        Path(out) if out else None,
        force,
        config.root,
    )
    if fmt == "json":
        echo_json(
            {
                "adopted": [
                    {
                        "title": adopted.title,
                        "module": config.display(target),
                        "not_carried": adopted.not_carried,
                        "unresolved": adopted.unresolved,
                        "library_panels": [p.uid for p in adopted.library_panels],
                    }
                    for target, adopted in result.dashboards
                ],
                "library_panel_modules": [config.display(p) for p in result.library_modules],
                "notes": result.notes,
            }
        )
        return
    for path in result.library_modules:
        click.echo(f"wrote library panel module {config.display(path)}")
    for note in result.notes:
        click.echo(f"note: {note}")
    for target, adopted in result.dashboards:
        click.echo(f"adopted {adopted.title!r} into {config.display(target)}")
        for note in adopted.unresolved:
            click.echo(f"  kept unresolved, as Grafana keeps it: {note}")
        if adopted.not_carried:
            click.echo(
                "  not carried over (grafanalib has no place for them): "
                + ", ".join(adopted.not_carried)
            )


def _pair(text: str) -> tuple[str, str]:
    name, sep, wanted = text.rpartition("=")
    if not sep or not name or not wanted:
        raise ConfigError(
            f"--datasource {text!r} is not NAME=DATASOURCE (DS_PROMETHEUS=prometheus)"
        )
    return name.removeprefix("${").removesuffix("}"), wanted


def _project_datasource(config: Config, name: str, wanted: str) -> DatasourceRef:
    if wanted not in config.datasources:
        known = ", ".join(sorted(config.datasources)) or "none"
        raise ConfigError(
            f"--datasource {name}={wanted}: {wanted!r} is none of phoenix-dash.yaml's "
            f"datasources ({known})",
            Location(config.file, None, "datasources"),
        )
    return config.datasources[wanted]
