"""Commands that talk to Grafana: ping, sync, diff, pull, preview."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import PhoenixDashError
from . import _config, _fail, _style, main

if TYPE_CHECKING:
    from ..build import Build
    from ..config import Config
    from ..grafana.connection import GrafanaConnection
    from ..preview import Preview
    from ..sync.model import Outcome, Plan
    from ..sync.planner import PlanOptions
    from ..sync.target import Target


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Path to phoenix-dash.yaml (default: nearest one upwards).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def ping(config_path: str | None, fmt: str, verbose: bool) -> None:
    """Check that Grafana answers, who we are there, and what we may write."""
    from ..grafana import doctor

    try:
        connection = _connect(_config(config_path), verbose, check=False)  # ping checks itself
    except PhoenixDashError as exc:
        _fail(exc)
        return
    report = doctor.ping(connection)
    if fmt == "json":
        click.echo(json.dumps({"url": connection.settings.url, "ok": report.exit_code == 0,
                               "checks": [vars(check) for check in report.checks],
                               "error": str(report.fatal) if report.fatal else None}, indent=2))
        sys.exit(report.exit_code)
    style = _style()
    for check in report.checks:
        mark = style("ok", fg="green") if check.ok else style("FAIL", fg="red")
        click.echo(f"{mark:>4}  {check.name:18} {check.detail}")
    if report.fatal is not None:
        click.echo(f"error: {report.fatal}", err=True)
    sys.exit(report.exit_code)


def _connect(config: Config, verbose: bool, check: bool = True) -> GrafanaConnection:
    from ..grafana.connection import GrafanaConnection, SecretFilter
    from ..grafana.settings import credentials_from, settings_from

    settings = settings_from(config.grafana, config.file, os.environ)
    credentials = credentials_from(settings, os.environ, config.root)
    connection = GrafanaConnection(settings, credentials)
    for warning in connection.warnings:
        click.echo(f"warning: {warning}", err=True)
    _watch(connection)
    if check:
        connection.check_api()
    if verbose:
        handler = logging.StreamHandler()
        handler.addFilter(SecretFilter(credentials))
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logger = logging.getLogger("phoenix_dash")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    return connection


QUIET_SECONDS = 5.0


def _watch(connection: GrafanaConnection) -> None:
    """After a few seconds without an answer, say what the command is waiting for."""

    def watch() -> None:
        said = 0.0
        while True:
            time.sleep(0.5)
            oldest = connection.waiting.oldest()
            if oldest is None:
                said = 0.0
                continue
            what, quiet, count = oldest
            if quiet >= QUIET_SECONDS and quiet - said >= QUIET_SECONDS:
                said = quiet
                click.echo(f"waiting for {connection.settings.url}: no answer for "
                           f"{quiet:.0f} s ({what}, {count} request{'s' if count > 1 else ''} "
                           "open; Ctrl-C to stop)", err=True)

    threading.Thread(target=watch, daemon=True, name="phoenix-dash-watch").start()


def _build(config: Config) -> Build:
    """The project as sync and diff see it: no provenance stamps, in parallel when large."""
    from ..build import build_project
    from ..render import default_jobs

    return build_project(config, default_jobs(), with_sources=False)


def _plan(config: Config, env: str | None, verbose: bool, options: PlanOptions,
          force: bool = False, note: str = "") -> tuple[Target, GrafanaConnection, Plan, Build]:
    from ..sync.planner import make_plan
    from ..sync.target import make_target

    build_result = _build(config)
    target = make_target(config, env, note, force)
    connection = _connect(replace(config, grafana=dict(target.grafana)), verbose)
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
@click.option("--allow-delete-all", is_flag=True,
              help="Let --prune delete every managed resource of a kind.")
@click.option("--force", is_flag=True, help="Overwrite conflicting edits made outside code.")
@click.option("--message", "note", default="", help="Added to each dashboard version message.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def sync(config_path: str | None, env: str | None, only: tuple[str, ...],
         exclude: tuple[str, ...], dry_run: bool, prune: bool, max_deletions: int,
         allow_delete_all: bool, force: bool, note: str, fmt: str, verbose: bool) -> None:
    """Make Grafana match the build: plan, then apply. Never overwrites edits made in the UI
    unless --force."""
    from ..sync import report as sync_report
    from ..sync.model import Action
    from ..sync.planner import PlanOptions, Selection

    try:
        config = _config(config_path)
        options = PlanOptions(prune, max_deletions, Selection(only, exclude), allow_delete_all)
        target, connection, plan, _ = _plan(config, env, verbose, options, force, note)
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
            hint = " (--force to overwrite)" if change.forceable else ""
            click.echo(f"CONFLICT {change.resource.kind} {change.resource.key}: {change.reason}"
                       f"{hint}")
        click.echo(sync_report.summary_line(plan)
                   + f"; {sum(o.ok for o in outcomes)} written, "
                   f"{sum(not o.ok for o in outcomes)} failed")
    failed = any(not o.ok for o in outcomes) or plan.by_action(Action.CONFLICT)
    sys.exit(1 if failed else 0)


def _apply(connection: GrafanaConnection, plan: Plan, target: Target,
           fmt: str) -> list[Outcome]:
    from ..sync import report as sync_report
    from ..sync.applier import apply_plan

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
    from ..sync import report as sync_report
    from ..sync.against import diff_against
    from ..sync.planner import PlanOptions, Selection

    try:
        config = _config(config_path)
        if ref is not None:
            plan = diff_against(config, _build(config), ref, Selection(only, exclude))
        else:
            _, _, plan, _ = _plan(config, env, verbose,
                                  PlanOptions(selection=Selection(only, exclude)))
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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Log every request (secrets redacted).")
def pull(config_path: str | None, env: str | None, uids: tuple[str, ...],
         tags: tuple[str, ...], folders: tuple[str, ...], out_dir: str, fmt: str,
         verbose: bool) -> None:
    """Fetch live dashboards as JSON files, to adopt dashboards made in the UI."""
    from ..sync.pull import pull_dashboards
    from ..sync.target import make_target

    try:
        config = _config(config_path)
        target = make_target(config, env)
        connection = _connect(replace(config, grafana=dict(target.grafana)), verbose)
        written = pull_dashboards(connection, Path(out_dir), uids, tags, folders)
    except PhoenixDashError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(json.dumps({"written": [str(path) for path in written]}, indent=2))
        return
    for path in written:
        click.echo(f"pulled {path}")
    click.echo(f"{len(written)} dashboard{'' if len(written) == 1 else 's'} written to "
               f"{out_dir}/")


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--url", help="A running Grafana to preview in (default: start preview/ with "
                            "Docker Compose).")
@click.option("--watch", "watching", is_flag=True,
              help="Rebuild and re-sync on every change under dashboards/ and alerts/.")
@click.option("--compose-file", default="preview/docker-compose.yml", show_default=True)
def preview(config_path: str | None, url: str | None, watching: bool, compose_file: str) -> None:
    """Sync the build into a preview folder of a Grafana and print each dashboard's URL."""
    from ..preview import preview_once, watch
    from ..preview_stack import start_stack, wait_healthy

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
