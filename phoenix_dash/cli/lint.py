"""`phoenix-dash lint`: the project's dashboards, alert rules and datasources, or dashboard
JSON files."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from . import main
from .common import (
    config_option,
    optional_config,
    project_config,
    prometheus_client,
    prometheus_from_options,
    prometheus_options,
    style,
)

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
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite the --json-file dashboards in the shape Grafana 12 stores (the info "
    "findings), then lint them.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="With --fix: write the fixed files here instead of over the originals.",
)
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(dir_okay=False),
    help="The metric catalog the catalog rules check against (a metrics.yaml); for "
    "--json-file files, which get none otherwise.",
)
@prometheus_options
@click.option("--list-rules", is_flag=True, help="Print the rules and exit.")
@click.option(
    "--write-docs",
    "docs_dir",
    type=click.Path(file_okay=False),
    help="Write the rules' documentation (an index and a page per rule) here and exit.",
)
def lint(
    config_path: str | None,
    fmt: str,
    fail_on: str,
    json_files: tuple[str, ...],
    fix: bool,
    out_dir: str | None,
    catalog_path: str | None,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
    list_rules: bool,
    docs_dir: str | None,
) -> None:
    """Lint the project's dashboards and alert rules (or dashboard JSON files). With
    --prometheus, the catalog rules check the metrics that server has (names, types, labels)."""
    from ..build import build_project
    from ..lint import report
    from ..lint.core import Severity
    from ..lint.runner import failing, lint_build, lint_files
    from ..lint.settings import DEFAULTS, rule_settings
    from ..lint.suppress import from_settings
    from ..quantities import parse_duration

    if docs_dir is not None:
        from ..lint.docs import write

        click.echo(f"wrote {len(write(Path(docs_dir)))} pages into {docs_dir}/")
        return
    if list_rules:
        from ..lint.docs import index

        if fmt == "markdown":  # the documentation's index: the rules' own severities
            click.echo(index(), nl=False)
            return
        config = optional_config(config_path)
        settings = rule_settings(config.lint_rules) if config else DEFAULTS
        listing = report.rules_json if fmt == "json" else report.rules_text
        click.echo(listing(settings.severity))
        return
    if fmt == "markdown":
        raise click.UsageError("--format markdown only goes with --list-rules")
    if out_dir is not None and not fix:
        raise click.UsageError("--out goes with --fix")
    if json_files:
        config = optional_config(config_path)
        paths = [Path(p) for p in json_files]
        if fix:
            paths = _fixed(paths, out_dir, fmt)
        catalog = _chosen_catalog(config, catalog_path, prometheus_url, headers, ca_bundle)
        findings = lint_files(
            paths,
            catalog,
            parse_duration(config.scrape_interval) if config else 15.0,
            from_settings(config.lint_suppress) if config else (),
            rule_settings(config.lint_rules) if config else DEFAULTS,
        )
    else:
        config = project_config(config_path)
        if fix:  # what build writes is already in the shape Grafana stores
            click.echo(
                "the project's dashboards are built in Grafana's shape: nothing to fix", err=True
            )
        built = build_project(config)
        chosen = _chosen_catalog(config, catalog_path, prometheus_url, headers, ca_bundle)
        findings = lint_build(replace(built, catalog=chosen or built.catalog), config)
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


def _fixed(paths: list[Path], out_dir: str | None, fmt: str) -> list[Path]:
    """The files rewritten by --fix (all or none), what changed said on stderr."""
    from ..lint.fix import fix_files, write_fixed

    fixed = fix_files(paths, Path(out_dir) if out_dir else None)
    write_fixed(fixed)
    shown = [item.target if out_dir else item.source for item in fixed]  # as the user named it
    for item, path in zip(fixed, shown, strict=True):
        summary = item.changes[0] if item.changes else "already in Grafana's shape"
        click.echo(f"fixed {path}: {summary}", err=True)
        if fmt == "text":
            for line in item.changes[1:]:
                click.echo(f"    {line}", err=True)
    return shown


def _chosen_catalog(
    config: Config | None,
    catalog_path: str | None,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
) -> Catalog | None:
    """The catalog --catalog or --prometheus gives, or None (the project's own, for its
    dashboards; none for --json-file files: a team's catalog says nothing of others')."""
    from ..catalog import load_catalog

    if catalog_path is not None:
        return load_catalog(Path(catalog_path))
    if prometheus_url is None:
        return None
    from ..live_catalog import LiveCatalog

    settings = prometheus_from_options(config, prometheus_url, headers, ca_bundle)
    return LiveCatalog(prometheus_client(settings, 4)).read()
