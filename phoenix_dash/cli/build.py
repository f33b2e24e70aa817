"""Commands that make the project's artefacts: build, test-alerts, init."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import main
from .common import config_option, echo_json, format_option, plural, project_config

if TYPE_CHECKING:
    from ..build import Build


def _default_jobs() -> int:
    from ..render import default_jobs

    return default_jobs()


@main.command()
@config_option
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing every file that would change."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=_default_jobs,
    show_default="number of CPUs, at most 8",
    help="Worker processes for projects with many modules.",
)
@click.option(
    "--allow-empty",
    type=click.Choice(["dashboards", "alerts"]),
    multiple=True,
    help="Allow a build without any of these where build/ holds some (they are "
    "removed from build/).",
)
@format_option("json")
def build(
    config_path: str | None, check: bool, jobs: int, allow_empty: tuple[str, ...], fmt: str
) -> None:
    """Render dashboards (and alerts) to modern Grafana JSON under build/, with
    build/manifest.json: what made it, so that sync, diff and render use build/ as committed
    while it matches the code."""
    from ..build import build_dir_display, build_notes, check_build, recorded_build, write_build

    config = project_config(config_path)
    result = recorded_build(config, jobs)
    prefix = build_dir_display(config)
    notes = build_notes(config, result)
    changes = check_build(config, result) if check else write_build(config, result, allow_empty)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if fmt == "json":
        echo_json(
            {
                "build_dir": prefix,
                "check": check,
                "changed": bool(changes),
                "files": changes.lines(prefix),
                **_counts(result),
            }
        )
    else:
        for line in changes.lines(prefix):
            click.echo(line)
        if check:
            click.echo(
                f"{prefix} is out of date: run `phoenix-dash build`"
                if changes
                else f"{prefix} is up to date ({plural(len(result.files()), 'file')})",
                err=bool(changes),
            )
        else:
            click.echo(
                f"built {_summary(result)} into {prefix}" + ("" if changes else " (no changes)")
            )
    if check and changes:
        sys.exit(1)


def _counts(result: Build) -> dict[str, int]:
    return {
        "dashboards": len(result.dashboards),
        "alert_rules": sum(len(g.rules) for g in result.alert_groups),
        "datasources": len(result.datasources),
    }


def _summary(result: Build) -> str:
    nouns = {"dashboards": "dashboard", "alert_rules": "alert rule", "datasources": "datasource"}
    return ", ".join(
        plural(n, nouns[key]) for key, n in _counts(result).items() if n or key == "dashboards"
    )


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Start a project in DIRECTORY (default: here): a dashboard, an alert rule with its
    tests, a metric catalog, a datasource and a CI workflow, ready to build, lint and test.
    Refuses to overwrite anything."""
    from ..init import pins, scaffold

    for path in scaffold(directory):
        click.echo(f"created {path}")
    note = pins().note
    if note:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"next: cd {directory} && phoenix-dash build && phoenix-dash lint && "
        "phoenix-dash test-alerts"
    )


@main.command("test-alerts")
@config_option
@format_option("json")
def test_alerts_command(config_path: str | None, fmt: str) -> None:
    """Check the Prometheus form of the alert rules with promtool and run the alert unit
    tests (promtool test rules format) against it. Every rule needs a test in which it fires
    and one in which it stays quiet; with notifications.yaml, every alert a test expects
    must reach one of the project's routes (not only its catch-all receiver), and exactly
    the receivers the test file's .receivers.yaml names for it."""
    from ..alerting.outputs import run_alert_tests
    from ..build import build_project

    config = project_config(config_path)
    result = build_project(config, with_sources=False)
    report = run_alert_tests(
        result.alert_groups, config.alert_tests_dir, config.promtool, result.notifications
    )
    rules = sum(len(g.rules) for g in result.alert_groups)
    if fmt == "json":
        echo_json(
            {
                "rules": rules,
                "ok": report.ok,
                "check_ok": report.check.ok,
                "gaps": list(report.gaps),
                "output": report.tests.output if report.tests else report.check.output,
            }
        )
        sys.exit(0 if report.ok else 1)
    if not report.check.ok:
        click.echo(report.check.output.rstrip(), err=True)
        click.echo("error: promtool check rules failed on the generated rule file", err=True)
        sys.exit(1)
    for gap in report.gaps:
        click.echo(f"error: {gap}", err=True)
    if report.tests is not None:
        click.echo(report.tests.output.rstrip())
    if not report.ok:
        sys.exit(1)
    click.echo(f"{plural(rules, 'rule')}: promtool check and unit tests passed")
