"""Commands between the build and a Grafana: sync, diff, pull, preview."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import PhoenixDashError
from . import main
from .common import (
    build_source_options,
    config_option,
    echo_written,
    format_option,
    obtained_build,
    plural,
    project_config,
    prometheus_options,
    selection_options,
    style,
    verbose_option,
)
from .grafana import connect

if TYPE_CHECKING:
    from ..build import Build
    from ..committed_build import BuildSource, StartedBuild
    from ..config import Config
    from ..grafana.connection import GrafanaConnection
    from ..grafana.resources import ResourceAPI
    from ..sync.model import Outcome, Plan
    from ..sync.options import PlanOptions, Selection
    from ..sync.target import Target


def _start_build(config: Config, source: BuildSource, verbose: bool) -> StartedBuild:
    """The project as sync and diff see it: build/ as committed when it is current, else
    built without provenance stamps, in parallel when large."""
    from ..render import default_jobs

    return obtained_build(config, source, verbose, default_jobs()).started


def _working_files(config: Config, source: BuildSource, verbose: bool) -> dict[str, bytes]:
    """build/'s files as the working tree's code gives them (for diff --against)."""
    from ..committed_build import Ready

    started = _start_build(config, source, verbose)
    return started.files if isinstance(started, Ready) else started.finish().files()


def _build_and_connect(
    pending: StartedBuild, config: Config, target: Target, verbose: bool, selection: Selection
) -> tuple[Build, GrafanaConnection, ResourceAPI | None]:
    """The build, a connection, and the API Grafana offers. While worker processes render a
    large project, or the committed build is read, a background thread asks Grafana; a broken build,
    or a --only/--exclude that names nothing, is still reported at once, without waiting
    for Grafana."""
    from ..sync.planner import check_selection
    from ..workers import in_background

    def grafana_side() -> tuple[GrafanaConnection, ResourceAPI | None]:
        from ..grafana.resources import choose_api

        connection = connect(config, target.grafana, verbose, check=False)
        # The API root check and the discovery in one round trip; the check's verdict
        # comes first (a URL that is not Grafana's API root explains any other failure).
        checked = in_background(connection.check_api)
        try:
            api = choose_api(connection, target.grafana, target.settings_file)
        except PhoenixDashError:
            checked()
            raise
        checked()
        return connection, api

    if not pending.overlaps:
        built = pending.finish()
        check_selection(built, target, selection)
        return (built, *grafana_side())
    connected = in_background(grafana_side)
    built = pending.finish()
    check_selection(built, target, selection)
    return (built, *connected())


def _plan(
    config: Config,
    env: str | None,
    verbose: bool,
    options: PlanOptions,
    source: BuildSource,
    force: bool = False,
    note: str = "",
    take_over: bool = False,
    dry_run: bool = False,
) -> tuple[Target, GrafanaConnection, Plan]:
    """The plan; with ``dry_run``, also Grafana's verdict on each write (resource APIs)."""
    from ..sync.target import make_target

    pending = _start_build(config, source, verbose)  # first: overlaps the planner's imports
    try:
        target = make_target(config, env, note, force, take_over)
    except PhoenixDashError:
        pending.finish()  # a broken build is the first thing to report
        raise
    with _nothing_changed_when_grafana_fails():
        built, connection, api = _build_and_connect(
            pending, config, target, verbose, options.selection
        )
        from ..sync.applier import dry_run as judge
        from ..sync.planner import make_plan

        plan = make_plan(connection, built, target, options, api)
        if dry_run:
            judge(connection, plan, target)
    return target, connection, plan


@contextmanager
def _nothing_changed_when_grafana_fails(
    said: str = "nothing was planned or changed",
) -> Iterator[None]:
    """Grafana failing to answer while a plan is made (or dashboards are pulled) stops the
    command with nothing changed: exit 2, whatever the failure (a 500 would otherwise read
    as a resource that failed, exit 1)."""
    from ..grafana.errors import GrafanaError

    try:
        yield
    except GrafanaError as exc:
        if exc.exit_code == 2:
            raise
        raise PhoenixDashError(f"{exc}; {said}") from None


@main.command()
@config_option
@selection_options
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--prune", is_flag=True, help="Delete managed resources no longer in code.")
@click.option(
    "--max-deletions",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Refuse a plan that deletes more than this.",
)
@click.option(
    "--allow-delete-all", is_flag=True, help="Let --prune delete every managed resource of a kind."
)
@click.option("--force", is_flag=True, help="Overwrite conflicting edits made outside code.")
@click.option(
    "--take-over",
    is_flag=True,
    help="Make phoenix-dash the manager of dashboards and folders another tool manages "
    "(resource APIs; see README).",
)
@click.option("--message", "note", default="", help="Added to each dashboard version message.")
@build_source_options
@format_option("json")
@verbose_option
def sync(
    config_path: str | None,
    env: str | None,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    dry_run: bool,
    prune: bool,
    max_deletions: int,
    allow_delete_all: bool,
    force: bool,
    take_over: bool,
    note: str,
    source: BuildSource,
    fmt: str,
    verbose: bool,
) -> None:
    """Make Grafana match the build: plan, then apply. Never overwrites edits made in the UI
    unless --force, nor what another tool manages unless --take-over."""
    from ..sync import report as sync_report
    from ..sync.model import Action
    from ..sync.options import PlanOptions, Selection

    options = PlanOptions(prune, max_deletions, Selection(only, exclude), allow_delete_all)
    config = project_config(config_path)
    target, connection, plan = _plan(
        config, env, verbose, options, source, force, note, take_over, dry_run
    )
    if dry_run:
        click.echo(
            sync_report.plan_json(plan) if fmt == "json" else sync_report.plan_text(plan, style())
        )
        sys.exit(1 if plan.by_action(Action.CONFLICT) or plan.rejected else 0)
    outcomes = _apply(connection, plan, target, fmt)
    if fmt == "json":
        click.echo(sync_report.sync_json(plan, outcomes))
    else:
        for change in plan.by_action(Action.CONFLICT):
            hint = " (--force to overwrite)" if change.forceable else ""
            click.echo(
                f"CONFLICT {change.resource.kind} {change.resource.key}: {change.reason}{hint}"
            )
        click.echo(
            sync_report.summary_line(plan) + f"; {sum(o.ok for o in outcomes)} written, "
            f"{sum(not o.ok for o in outcomes)} failed"
        )
    failed = any(not o.ok for o in outcomes) or plan.by_action(Action.CONFLICT)
    sys.exit(1 if failed else 0)


def _apply(connection: GrafanaConnection, plan: Plan, target: Target, fmt: str) -> list[Outcome]:
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
    return apply_plan(
        connection, plan, target, lambda outcome: click.echo(sync_report.outcome_line(outcome))
    )


@main.command()
@config_option
@selection_options
@click.option(
    "--against", "ref", help="Compare with build/ at this git revision instead of Grafana."
)
@click.option("--full", is_flag=True, help="Show both whole sides of every changed value.")
@click.option(
    "--render",
    "render_dir",
    type=click.Path(file_okay=False),
    help="With --against: draw before/after pictures of each changed dashboard here.",
)
@click.option(
    "--image-base-url",
    default="",
    help="Where the pictures will be served, for the markdown's links: a URL the file name "
    "is appended to, or one with {name} in it (default: the --render directory).",
)
@prometheus_options
@build_source_options
@format_option("markdown", "json")
@verbose_option
def diff(
    config_path: str | None,
    env: str | None,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    ref: str | None,
    full: bool,
    render_dir: str | None,
    image_base_url: str,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
    source: BuildSource,
    fmt: str,
    verbose: bool,
) -> None:
    """What sync would change in Grafana (or, with --against, since a git revision). Needs
    no secret: a datasource secret that is not set is noted, not checked."""
    from ..sync import report as sync_report
    from ..sync.against import build_files_at, diff_against
    from ..sync.markdown import plan_markdown
    from ..sync.options import PlanOptions, Selection

    config = project_config(config_path)
    selection = Selection(only, exclude)
    pictures = None
    if render_dir is not None and ref is None:
        raise click.UsageError("--render draws what changed since a revision: add --against REF")
    if ref is not None:
        after = _working_files(config, source, verbose)
        before = build_files_at(config, ref)
        plan = diff_against(
            ref, before, after, selection, config.display(config.build_dir).rstrip("/")
        )
        if render_dir is not None:
            from ..pictures import write_pictures
            from ..pictures.review import review_pictures, reviewed_dashboards
            from .pictures import data_choice, live_data, say_missing_glyphs

            reviewed = reviewed_dashboards(before, after, plan)
            choice = data_choice(config, prometheus_url, headers, ca_bundle)
            if choice.prometheus is not None:
                sides = [d for item in reviewed for _, d in item.sides() if d is not None]
                choice = live_data(choice, sides)
            review = review_pictures(reviewed, choice, image_base_url or render_dir)
            write_pictures(Path(render_dir), review.drawing.files)
            say_missing_glyphs(review.drawing.missing_glyphs)
            pictures = review.pictures
    else:
        options = PlanOptions(selection=selection)
        _, _, plan = _plan(config, env, verbose, options, source, dry_run=True)
    if fmt == "json":
        click.echo(sync_report.plan_json(plan, full))
    elif fmt == "markdown":
        click.echo(plan_markdown(plan, full, pictures), nl=False)
    else:
        click.echo(sync_report.plan_text(plan, style(), full=full))
    sys.exit(0 if plan.in_sync else 1)


@main.command()
@config_option
@click.option("--env", help="Environment from phoenix-dash.yaml.")
@click.option("--uid", "uids", multiple=True, help="Dashboard uid (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Dashboards with this tag (all given).")
@click.option("--folder", "folders", multiple=True, help="Dashboards in this folder uid.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="pulled",
    show_default=True,
    help="Directory for the JSON files.",
)
@format_option("json")
@verbose_option
def pull(
    config_path: str | None,
    env: str | None,
    uids: tuple[str, ...],
    tags: tuple[str, ...],
    folders: tuple[str, ...],
    out_dir: str,
    fmt: str,
    verbose: bool,
) -> None:
    """Fetch live dashboards as JSON files, to adopt dashboards made in the UI."""
    from ..grafana.resources import choose_api
    from ..sync.pull import pull_dashboards
    from ..sync.target import make_target

    config = project_config(config_path)
    grafana = make_target(config, env).grafana
    with _nothing_changed_when_grafana_fails("nothing was written"):
        connection = connect(config, grafana, verbose)
        api = choose_api(connection, grafana, config.file)
        written = pull_dashboards(connection, Path(out_dir), uids, tags, folders, api)
    summary = f"{plural(len(written), 'dashboard')} written to {out_dir}/"
    echo_written(written, fmt, "pulled", summary)
