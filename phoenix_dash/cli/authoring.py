"""Commands about the project itself: build, test-alerts, lint, adopt."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..errors import PhoenixDashError
from . import _config, _fail, _style, main

if TYPE_CHECKING:
    from ..build import Build
    from ..catalog import Catalog
    from ..config import Config


def _default_jobs() -> int:
    from ..render import default_jobs

    return default_jobs()


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing every file that would change.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=_default_jobs,
              show_default="number of CPUs, at most 8",
              help="Worker processes for projects with many modules.")
@click.option("--allow-empty", type=click.Choice(["dashboards", "alerts"]), multiple=True,
              help="Allow a build without any of these where build/ holds some (they are "
                   "removed from build/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def build(config_path: str | None, check: bool, jobs: int, allow_empty: tuple[str, ...],
          fmt: str) -> None:
    """Render dashboards (and alerts) to modern Grafana JSON under build/."""
    from ..build import build_dir_display, build_project, check_build, write_build

    try:
        config = _config(config_path)
        result = build_project(config, jobs, with_sources=False)
        prefix = build_dir_display(config)
        changes = check_build(config, result) if check else \
            write_build(config, result, allow_empty)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(json.dumps({"build_dir": prefix, "check": check, "changed": bool(changes),
                               "files": changes.lines(prefix), **_counts(result)}, indent=2))
    else:
        for line in changes.lines(prefix):
            click.echo(line)
        if check:
            click.echo(f"{prefix} is out of date: run `phoenix-dash build`" if changes else
                       f"{prefix} is up to date ({_plural(len(result.files()), 'file')})",
                       err=bool(changes))
        else:
            click.echo(f"built {_summary(result)} into {prefix}"
                       + ("" if changes else " (no changes)"))
    if check and changes:
        sys.exit(1)


def _counts(result: Build) -> dict[str, int]:
    return {"dashboards": len(result.dashboards),
            "alert_rules": sum(len(g.rules) for g in result.alert_groups),
            "datasources": len(result.datasources)}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(result: Build) -> str:
    counts = _counts(result)
    nouns = {"dashboards": "dashboard", "alert_rules": "alert rule", "datasources": "datasource"}
    return ", ".join(_plural(n, nouns[key]) for key, n in counts.items()
                     if n or key == "dashboards")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Start a project in DIRECTORY (default: here): a dashboard, an alert rule with its
    tests, a metric catalog, a datasource and a CI workflow, ready to build, lint and test.
    Refuses to overwrite anything."""
    from ..init import scaffold

    try:
        written = scaffold(directory)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"next: cd {directory} && phoenix-dash build && phoenix-dash lint && "
               "phoenix-dash test-alerts")


@main.command("test-alerts")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def test_alerts_command(config_path: str | None, fmt: str) -> None:
    """Check the Prometheus form of the alert rules with promtool and run the alert unit
    tests (promtool test rules format) against it. Every rule needs a test in which it fires
    and one in which it stays quiet."""
    from ..alerting.outputs import run_alert_tests
    from ..build import build_project

    try:
        config = _config(config_path)
        result = build_project(config, with_sources=False)
        report = run_alert_tests(result.alert_groups, config.alert_tests_dir, config.promtool)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    rules = sum(len(g.rules) for g in result.alert_groups)
    if fmt == "json":
        click.echo(json.dumps({"rules": rules, "ok": report.ok, "check_ok": report.check.ok,
                               "gaps": list(report.gaps),
                               "output": (report.tests.output if report.tests else
                                          report.check.output)}, indent=2))
        sys.exit(0 if report.ok else 1)
    if not report.check.ok:
        click.echo(report.check.output.rstrip(), err=True)
        click.echo("error: promtool check rules failed on the generated rule file", err=True)
        sys.exit(1)
    for gap in report.gaps:
        click.echo(f"error: {gap}", err=True)
    if report.tests is not None:
        click.echo(report.tests.output.rstrip())
    if report.ok:
        click.echo(f"{_plural(rules, 'rule')}: promtool check and unit tests passed")
    else:
        sys.exit(1)


FORMATS = ("text", "json", "github", "sarif")


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "markdown"]), default="text",
              show_default=True, help="Output format (markdown: only with --list-rules).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error",
              show_default=True, help="Exit 1 when a finding is at least this severe.")
@click.option("--json-file", "json_files", multiple=True, type=click.Path(dir_okay=False),
              help="Lint these dashboard JSON files instead of the project (repeatable).")
@click.option("--list-rules", is_flag=True, help="Print the rules and exit.")
def lint(config_path: str | None, fmt: str, fail_on: str, json_files: tuple[str, ...],
         list_rules: bool) -> None:
    """Lint the project's dashboards and alert rules (or dashboard JSON files)."""
    from ..build import build_project
    from ..lint import report
    from ..lint.core import Severity
    from ..lint.runner import failing, lint_build, lint_files
    from ..lint.suppress import from_settings

    if list_rules:
        if fmt == "markdown":
            click.echo(report.rules_markdown(), nl=False)
        elif fmt == "json":
            click.echo(report.rules_json())
        else:
            click.echo(report.rules_text())
        return
    if fmt == "markdown":
        raise click.UsageError("--format markdown only goes with --list-rules")
    try:
        if json_files:
            config = _optional_config(config_path)
            findings = lint_files([Path(p) for p in json_files],
                                  *_catalog_and_interval(config),
                                  from_settings(config.lint_suppress) if config else ())
        else:
            config = _config(config_path)
            findings = lint_build(build_project(config), config)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(report.as_json(findings))
    elif fmt == "github":
        if findings:
            click.echo(report.github(findings))
    elif fmt == "sarif":
        click.echo(report.sarif(findings, __version__))
    else:
        click.echo(report.text(findings, _style()))
    if failing(findings, Severity.parse(fail_on)):
        sys.exit(1)


def _optional_config(config_path: str | None) -> Config | None:
    from ..config import find_config, load_config
    from ..errors import ConfigError

    if config_path:
        return load_config(Path(config_path))
    try:
        return load_config(find_config(Path.cwd()))
    except ConfigError as exc:
        if "no phoenix-dash.yaml found" in exc.message:
            return None
        raise


def _catalog_and_interval(config: Config | None) -> tuple[Catalog | None, float]:
    from ..catalog import load_catalog
    from ..quantities import parse_duration

    if config is None:
        return None, 15.0
    catalog = None
    if config.catalog_file is not None:
        catalog = load_catalog(config.catalog_file, config.display(config.catalog_file))
    return catalog, parse_duration(config.scrape_interval)


@main.command()
@click.argument("json_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Module to write, for a single file (default: dashboards/<title>.py).")
@click.option("--force", is_flag=True, help="Replace modules that exist.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def adopt(json_files: tuple[str, ...], config_path: str | None, out: str | None,
          force: bool, fmt: str) -> None:
    """Turn dashboards' JSON (exports, or files `pull` wrote) into grafanalib modules."""
    from ..adopt import adopt_files
    from ..build import modernize_context

    try:
        config = _config(config_path)
        written = adopt_files([Path(f) for f in json_files], modernize_context(config),
                              config.dashboards_dir, Path(out) if out else None, force)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(json.dumps({"adopted": [
            {"title": adopted.title, "module": config.display(target),
             "not_carried": adopted.not_carried} for target, adopted in written]}, indent=2))
        return
    for target, adopted in written:
        click.echo(f"adopted {adopted.title!r} into {config.display(target)}")
        if adopted.not_carried:
            click.echo("  not carried over (grafanalib has no place for them): "
                       + ", ".join(adopted.not_carried))
