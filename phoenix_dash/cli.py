"""The ``phoenix-dash`` command line. Commands parse options, call the library, print."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from . import __version__
from .alerting.outputs import run_alert_tests
from .build import Build, build_dir_display, build_project, check_build, write_build
from .catalog import Catalog, load_catalog
from .check import run_checks
from .config import Config, find_config, load_config
from .errors import ConfigError, PhoenixDashError
from .grafana import doctor
from .grafana.connection import GrafanaConnection, SecretFilter
from .grafana.settings import credentials_from, settings_from
from .lint import report
from .lint.core import Severity
from .lint.runner import failing, lint_build, lint_files
from .preview import Preview, preview_once, watch
from .preview_stack import start_stack, wait_healthy
from .quantities import parse_duration
from .render import default_jobs
from .simulate.model import SCENARIOS, Orchestrator
from .simulate.server import Simulator
from .sync import report as sync_report
from .sync.against import diff_against
from .sync.applier import apply_plan
from .sync.model import Action, Outcome, Plan
from .sync.planner import PlanOptions, Selection, make_plan
from .sync.pull import pull_dashboards
from .sync.target import Target, make_target


def _config(path: str | None) -> Config:
    return load_config(Path(path)) if path else load_config(find_config(Path.cwd()))


def _fail(exc: PhoenixDashError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phoenix-dash")
def main() -> None:
    """Dashboards and alerts as code for the Phoenix Orchestrator."""


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing every file that would change.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=default_jobs,
              show_default="number of CPUs, at most 8",
              help="Worker processes for projects with many modules.")
def build(config_path: str | None, check: bool, jobs: int) -> None:
    """Render dashboards (and alerts) to modern Grafana JSON under build/."""
    try:
        config = _config(config_path)
        result = build_project(config, jobs)
        prefix = build_dir_display(config)
        if check:
            changes = check_build(config, result)
            for line in changes.lines(prefix):
                click.echo(line)
            if changes:
                click.echo(f"{prefix} is out of date: run `phoenix-dash build`", err=True)
                sys.exit(1)
            click.echo(f"{prefix} is up to date ({len(result.files())} files)")
            return
        changes = write_build(config, result)
        for line in changes.lines(prefix):
            click.echo(line)
        click.echo(f"built {len(result.dashboards)} dashboards into {prefix}"
                   + ("" if changes else " (no changes)"))
    except PhoenixDashError as exc:
        _fail(exc)


@main.command("test-alerts")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
def test_alerts_command(config_path: str | None) -> None:
    """Check the Prometheus form of the alert rules with promtool and run the alert unit
    tests (promtool test rules format) against it. Every rule needs a test in which it fires
    and one in which it stays quiet."""
    try:
        config = _config(config_path)
        result = build_project(config)
        report = run_alert_tests(result.alert_groups, config.alert_tests_dir, config.promtool)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if not report.check.ok:
        click.echo(report.check.output.rstrip(), err=True)
        click.echo("error: promtool check rules failed on the generated rule file", err=True)
        sys.exit(1)
    for gap in report.gaps:
        click.echo(f"error: {gap}", err=True)
    if report.tests is not None:
        click.echo(report.tests.output.rstrip())
    rules = sum(len(g.rules) for g in result.alert_groups)
    if report.ok:
        click.echo(f"{rules} rules: promtool check and unit tests passed")
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
    if list_rules:
        if fmt == "markdown":
            click.echo(report.rules_markdown(), nl=False)
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
                                  config.suppressions if config else ())
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
        click.echo(report.text(findings, click.style if sys.stdout.isatty() else _no_style))
    if failing(findings, Severity.parse(fail_on)):
        sys.exit(1)


def _no_style(text: str, **_: object) -> str:
    return text


def _optional_config(config_path: str | None) -> Config | None:
    if config_path:
        return load_config(Path(config_path))
    try:
        return load_config(find_config(Path.cwd()))
    except ConfigError as exc:
        if "no phoenix-dash.yaml found" in exc.message:
            return None
        raise


def _catalog_and_interval(config: Config | None) -> tuple[Catalog | None, float]:
    if config is None:
        return None, 15.0
    catalog = None
    if config.catalog_file is not None:
        catalog = load_catalog(config.catalog_file, config.display(config.catalog_file))
    return catalog, parse_duration(config.scrape_interval)


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def ping(config_path: str | None, verbose: bool) -> None:
    """Check that Grafana answers, who we are there, and what we may write."""
    try:
        connection = _connect(_config(config_path), verbose)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    report = doctor.ping(connection)
    for check in report.checks:
        mark = click.style("ok", fg="green") if check.ok else click.style("FAIL", fg="red")
        click.echo(f"{mark:>4}  {check.name:18} {check.detail}")
    if report.fatal is not None:
        click.echo(f"error: {report.fatal}", err=True)
    sys.exit(report.exit_code)


def _connect(config: Config, verbose: bool) -> GrafanaConnection:
    settings = settings_from(config.grafana, config.file, os.environ)
    credentials = credentials_from(settings, os.environ, config.root)
    connection = GrafanaConnection(settings, credentials)
    for warning in connection.warnings:
        click.echo(f"warning: {warning}", err=True)
    if verbose:
        handler = logging.StreamHandler()
        handler.addFilter(SecretFilter(credentials))
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logger = logging.getLogger("phoenix_dash")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    return connection


def _plan(config: Config, env: str | None, verbose: bool, only: tuple[str, ...],
          exclude: tuple[str, ...], prune: bool, max_deletions: int, force: bool,
          note: str) -> tuple[Target, GrafanaConnection, Plan, Build]:
    build_result = build_project(config)
    target = make_target(config, env, note, force)
    connection = _connect(replace(config, grafana=dict(target.grafana)), verbose)
    options = PlanOptions(prune, max_deletions, Selection(only, exclude))
    return target, connection, make_plan(connection, build_result, target, options), build_result


SELECT = [
    click.option("--env", help="Environment from phoenix-dash.yaml (URL, org, uid mappings)."),
    click.option("--only", multiple=True, help="Only these uids, folder uids or kinds."),
    click.option("--exclude", multiple=True, help="Leave out these uids, folder uids or kinds."),
]


def _with(options: list[Any]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def decorate(function: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(options):
            function = option(function)
        return function
    return decorate


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@_with(SELECT)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--prune", is_flag=True, help="Delete managed resources no longer in code.")
@click.option("--max-deletions", type=click.IntRange(min=0), default=5, show_default=True,
              help="Refuse a plan that deletes more than this.")
@click.option("--force", is_flag=True, help="Overwrite conflicting edits made outside code.")
@click.option("--message", "note", default="", help="Added to each dashboard version message.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def sync(config_path: str | None, env: str | None, only: tuple[str, ...],
         exclude: tuple[str, ...], dry_run: bool, prune: bool, max_deletions: int, force: bool,
         note: str, fmt: str, verbose: bool) -> None:
    """Make Grafana match the build: plan, then apply. Never overwrites edits made in the UI
    unless --force."""
    try:
        config = _config(config_path)
        target, connection, plan, _ = _plan(config, env, verbose, only, exclude, prune,
                                            max_deletions, force, note)
        if dry_run:
            click.echo(sync_report.plan_json(plan) if fmt == "json"
                       else sync_report.plan_text(plan, _style()))
            sys.exit(1 if plan.by_action(Action.CONFLICT) else 0)
        outcomes = _apply(connection, plan, target, fmt)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(sync_report.sync_json(plan, outcomes))
    else:
        for change in plan.by_action(Action.CONFLICT):
            click.echo(f"CONFLICT {change.resource.kind} {change.resource.key}: {change.reason} "
                       "(--force to overwrite)")
        click.echo(sync_report.summary_line(plan)
                   + f"; {sum(o.ok for o in outcomes)} written, "
                   f"{sum(not o.ok for o in outcomes)} failed")
    failed = any(not o.ok for o in outcomes) or plan.by_action(Action.CONFLICT)
    sys.exit(1 if failed else 0)


def _apply(connection: GrafanaConnection, plan: Plan, target: Target,
           fmt: str) -> list[Outcome]:
    writes = [c for c in plan.changes if c.writes]
    if fmt == "json" or not writes:
        return apply_plan(connection, plan, target)
    if sys.stdout.isatty():
        with click.progressbar(length=len(writes), label="syncing") as bar:
            outcomes = apply_plan(connection, plan, target, lambda outcome: bar.update(1))
        for outcome in outcomes:
            click.echo(sync_report.outcome_line(outcome))
        return outcomes
    return apply_plan(connection, plan, target,
                      lambda outcome: click.echo(sync_report.outcome_line(outcome)))


def _style() -> Callable[..., str]:
    return click.style if sys.stdout.isatty() else _no_style


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@_with(SELECT)
@click.option("--against", "ref", help="Compare with build/ at this git revision instead of "
                                       "Grafana.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def diff(config_path: str | None, env: str | None, only: tuple[str, ...],
         exclude: tuple[str, ...], ref: str | None, fmt: str, verbose: bool) -> None:
    """What sync would change in Grafana (or, with --against, since a git revision)."""
    try:
        config = _config(config_path)
        if ref is not None:
            plan = diff_against(config, build_project(config), ref, Selection(only, exclude))
        else:
            _, _, plan, _ = _plan(config, env, verbose, only, exclude, False, 0, False, "")
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(sync_report.plan_json(plan))
    elif fmt == "markdown":
        click.echo(sync_report.plan_markdown(plan), nl=False)
    else:
        click.echo(sync_report.plan_text(plan, _style()))
    sys.exit(0 if plan.in_sync else 1)


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--env", help="Environment from phoenix-dash.yaml.")
@click.option("--uid", "uids", multiple=True, help="Dashboard uid (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Dashboards with this tag (all given).")
@click.option("--folder", "folders", multiple=True, help="Dashboards in this folder uid.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="pulled",
              show_default=True, help="Directory for the JSON files.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def pull(config_path: str | None, env: str | None, uids: tuple[str, ...],
         tags: tuple[str, ...], folders: tuple[str, ...], out_dir: str, verbose: bool) -> None:
    """Fetch live dashboards as JSON files, to adopt dashboards made in the UI."""
    try:
        config = _config(config_path)
        target = make_target(config, env)
        connection = _connect(replace(config, grafana=dict(target.grafana)), verbose)
        written = pull_dashboards(connection, Path(out_dir), uids, tags, folders)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    for path in written:
        click.echo(f"pulled {path}")
    click.echo(f"{len(written)} dashboards written to {out_dir}/")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9108, show_default=True, type=int)
@click.option("--scenario", type=click.Choice(SCENARIOS), default="normal", show_default=True,
              help="Failure scenario to start with (switch later: POST /scenario?name=...).")
@click.option("--seed", default=1, show_default=True, type=int)
def simulate(host: str, port: int, scenario: str, seed: int) -> None:
    """Serve synthetic Phoenix Orchestrator metrics on /metrics."""
    orchestrator = Orchestrator(seed)
    orchestrator.set_scenario(scenario)
    simulator = Simulator(orchestrator, host, port)
    click.echo(f"serving {simulator.url}/metrics (scenario {scenario}); "
               f"POST {simulator.url}/scenario?name=<{'|'.join(SCENARIOS)}>")
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        simulator.stop()


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--prometheus", "prometheus_url", required=True,
              help="Base URL of the Prometheus (or VictoriaMetrics) to query.")
@click.option("--scrape-interval", help="Scrape interval there (default: from the config); "
                                        "$__rate_interval is four of them.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def check(config_path: str | None, prometheus_url: str, scrape_interval: str | None,
          fmt: str) -> None:
    """Run every panel and alert query against a live Prometheus: ok, empty or error."""
    try:
        config = _config(config_path)
        seconds = parse_duration(scrape_interval or config.scrape_interval)
        results = run_checks(build_project(config), prometheus_url, seconds)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(json.dumps({"results": [r.as_json() for r in results]}, indent=2))
    else:
        for result in results:
            note = f" ({result.message})" if result.message else ""
            click.echo(f"{result.status:7} {result.kind:5} {result.owner} [{result.ref}]{note}")
        failed = sum(r.failed for r in results)
        click.echo(f"{len(results)} queries: {sum(r.status == 'ok' for r in results)} ok, "
                   f"{failed} failing")
    sys.exit(1 if any(r.failed for r in results) else 0)


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--url", help="A running Grafana to preview in (default: start preview/ with "
                            "Docker Compose).")
@click.option("--watch", "watching", is_flag=True,
              help="Rebuild and re-sync on every change under dashboards/ and alerts/.")
@click.option("--compose-file", default="preview/docker-compose.yml", show_default=True)
def preview(config_path: str | None, url: str | None, watching: bool, compose_file: str) -> None:
    """Sync the build into a preview folder of a Grafana and print each dashboard's URL."""
    try:
        config = _config(config_path)
        if url is None:
            url = start_stack(config.root / compose_file, click.echo)
            if not (os.environ.get("GRAFANA_TOKEN") or os.environ.get("GRAFANA_USER")):
                # The stack's own admin (preview/docker-compose.yml), on loopback only.
                os.environ.update(GRAFANA_USER="admin", GRAFANA_PASSWORD="admin")
        connection = _connect(replace(config, grafana={**config.grafana, "url": url}), False)
        wait_healthy(connection)
        if not watching:
            _show_preview(preview_once(config, connection))
            return
    except PhoenixDashError as exc:
        _fail(exc)
        return
    stop = threading.Event()
    click.echo("watching dashboards/ and alerts/ (Ctrl-C to stop)")
    try:
        watch(config, connection, _show_preview, stop)
    except KeyboardInterrupt:
        stop.set()


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
