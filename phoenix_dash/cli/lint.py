"""`phoenix-dash lint`: the project's dashboards, alert rules and datasources, or dashboard
JSON files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from . import main
from .common import config_option, optional_config, project_config, style

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config import Config

FORMATS = ("text", "json", "github", "sarif")


@main.command()
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "markdown"]),
    default="text",
    show_default=True,
    help="Output format (markdown: only with --list-rules).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--json-file",
    "json_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Lint these dashboard JSON files instead of the project (repeatable).",
)
@click.option("--list-rules", is_flag=True, help="Print the rules and exit.")
def lint(
    config_path: str | None, fmt: str, fail_on: str, json_files: tuple[str, ...], list_rules: bool
) -> None:
    """Lint the project's dashboards and alert rules (or dashboard JSON files)."""
    from ..build import build_project
    from ..lint import report
    from ..lint.core import Severity
    from ..lint.runner import failing, lint_build, lint_files
    from ..lint.suppress import from_settings

    if list_rules:
        rules = {"markdown": report.rules_markdown, "json": report.rules_json}
        click.echo(rules.get(fmt, report.rules_text)(), nl=fmt != "markdown")
        return
    if fmt == "markdown":
        raise click.UsageError("--format markdown only goes with --list-rules")
    if json_files:
        config = optional_config(config_path)
        findings = lint_files(
            [Path(p) for p in json_files],
            *_catalog_and_interval(config),
            from_settings(config.lint_suppress) if config else (),
        )
    else:
        config = project_config(config_path)
        findings = lint_build(build_project(config), config)
    if fmt == "json":
        click.echo(report.as_json(findings))
    elif fmt == "github":
        if findings:
            click.echo(report.github(findings))
    elif fmt == "sarif":
        click.echo(report.sarif(findings, __version__))
    else:
        click.echo(report.text(findings, style()))
    if failing(findings, Severity.parse(fail_on)):
        sys.exit(1)


def _catalog_and_interval(config: Config | None) -> tuple[Catalog | None, float]:
    from ..catalog import load_catalog
    from ..quantities import parse_duration

    if config is None:
        return None, 15.0
    catalog = None
    if config.catalog_file is not None:
        catalog = load_catalog(config.catalog_file, config.display(config.catalog_file))
    return catalog, parse_duration(config.scrape_interval)
