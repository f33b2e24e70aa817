"""What the commands share: the options every command spells the same way, finding the
project's settings, and output helpers. Errors are not handled here: the command group is
the one boundary (cli/__init__.py)."""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click

if TYPE_CHECKING:
    from ..committed_build import BuildSource, Obtained
    from ..config import Config
    from ..prometheus_api import PrometheusAPI, PrometheusSettings
    from ..workers import InFlight

QUIET_SECONDS = 5.0

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Path to phoenix-dash.yaml (default: the nearest one upwards).",
)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Log every request (secrets redacted)."
)


def format_option(*choices: str, note: str = "") -> Decorator:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", *choices]),
        default="text",
        show_default=True,
        help=note or None,
    )


def selection_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--env, --only, --exclude: where a command goes and what it takes."""
    for option in reversed(
        [
            click.option("--env", help="Environment from phoenix-dash.yaml (URL, org, uids)."),
            click.option(
                "--only",
                multiple=True,
                help="Only these uids, folder uids or kinds (repeat or comma-separate).",
            ),
            click.option(
                "--exclude", multiple=True, help="Leave out these uids, folder uids or kinds."
            ),
        ]
    ):
        function = option(function)
    return function


def build_source_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--from-build, --rebuild: whether build/ as committed is used (committed_build.py); the
    command gets ``source``: "committed", "rebuild" or None (use it when it is current)."""

    @functools.wraps(function)
    def with_source(*args: Any, from_build: bool, rebuild: bool, **kwargs: Any) -> Any:
        if from_build and rebuild:
            raise click.UsageError("--from-build and --rebuild exclude each other")
        source: BuildSource = "committed" if from_build else "rebuild" if rebuild else "auto"
        return function(*args, source=source, **kwargs)

    options = [
        click.option(
            "--from-build",
            is_flag=True,
            help="Use build/ as committed, or stop if it is not what the code gives "
            "(for CD: apply what was reviewed).",
        ),
        click.option(
            "--rebuild", is_flag=True, help="Build from the code even when build/ is current."
        ),
    ]
    for option in reversed(options):
        with_source = option(with_source)
    return with_source


def obtained_build(
    config: Config, source: BuildSource, verbose: bool = False, jobs: int = 1
) -> Obtained:
    """The build a command works from (``committed_build.obtain_build``); with --verbose,
    stderr says which, and why build/ as committed was not used. Without, a stale build/ is
    built from the code as it always was (an author between edits): build --check in CI is
    what flags it, and --from-build in CD what refuses it."""
    from ..committed_build import obtain_build

    obtained = obtain_build(config, source, jobs)
    if verbose and obtained.not_used is not None:
        click.echo(f"note: building from the code: {obtained.not_used}", err=True)
    elif verbose and source != "rebuild":
        click.echo("note: using build/ as committed (its manifest matches the code)", err=True)
    return obtained


def prometheus_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--prometheus, --header, --ca-bundle: a Prometheus-compatible API to query (credentials
    from $PROMETHEUS_TOKEN, or $PROMETHEUS_USER and $PROMETHEUS_PASSWORD)."""
    for option in reversed(
        [
            click.option(
                "--prometheus",
                "prometheus_url",
                help="Base URL of the Prometheus (or VictoriaMetrics) to query "
                "(default: prometheus.url).",
            ),
            click.option(
                "--header",
                "headers",
                multiple=True,
                metavar="'NAME: VALUE'",
                help="An extra request header, e.g. 'X-Scope-OrgID: tenant' (repeatable).",
            ),
            click.option(
                "--ca-bundle", help="CA certificates to trust (default: prometheus.ca_bundle)."
            ),
        ]
    ):
        function = option(function)
    return function


def prometheus_from_options(
    config: Config | None,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
) -> PrometheusSettings:
    """The Prometheus ``prometheus_options`` name, with the project's ``prometheus:``
    settings under them (none outside a project); a TLS check turned off is said on stderr."""
    from ..prometheus_api import prometheus_settings

    section = config.prometheus if config is not None else {}
    file = config.file if config is not None else ""
    settings = prometheus_settings(section, file, prometheus_url, headers, ca_bundle)
    if settings.insecure_skip_verify:
        click.echo(
            f"warning: TLS certificate verification is OFF for {settings.url} "
            "(prometheus.insecure_skip_verify)",
            err=True,
        )
    return settings


def prometheus_client(settings: PrometheusSettings, pool_size: int = 8) -> PrometheusAPI:
    """A client for ``settings`` whose quiet spells are said on stderr (``say_when_quiet``)."""
    from ..prometheus_api import PrometheusAPI

    api = PrometheusAPI(settings, pool_size)
    say_when_quiet(api)
    return api


class _Settings(Protocol):
    @property
    def url(self) -> str: ...


class Watched(Protocol):
    """A client that keeps its requests under way (Grafana's, Prometheus's)."""

    @property
    def settings(self) -> _Settings: ...
    @property
    def waiting(self) -> InFlight: ...


def say_when_quiet(client: Watched) -> None:
    """After a few seconds without an answer, say what the command is waiting for. The
    watcher ends with the client (a weak reference): commands run in one process (the
    tests) must not pile up threads that wake forever."""
    ref = weakref.ref(client)

    def watch() -> None:
        said = 0.0
        while True:
            time.sleep(0.5)
            watched = ref()
            if watched is None:
                return
            oldest = watched.waiting.oldest()
            url = watched.settings.url
            del watched
            if oldest is None:
                said = 0.0
                continue
            what, quiet, count = oldest
            if quiet >= QUIET_SECONDS and quiet - said >= QUIET_SECONDS:
                said = quiet
                click.echo(
                    f"waiting for {url}: no answer for "
                    f"{quiet:.0f} s ({what}, {count} request{'s' if count > 1 else ''} "
                    "open; Ctrl-C to stop)",
                    err=True,
                )

    threading.Thread(target=watch, daemon=True, name="phoenix-dash-watch").start()


def project_config(path: str | None) -> Config:
    """The settings named by --config, else the nearest phoenix-dash.yaml upwards."""
    from ..config import find_config, load_config

    return load_config(Path(path)) if path else load_config(find_config(Path.cwd()))


def optional_config(path: str | None) -> Config | None:
    """As project_config, or None outside a project (commands that also work on files)."""
    from ..config import CONFIG_NAME, load_config

    if path:
        return load_config(Path(path))
    here = Path.cwd().resolve()
    found = next(
        (d / CONFIG_NAME for d in [here, *here.parents] if (d / CONFIG_NAME).is_file()), None
    )
    return load_config(found) if found else None


def no_style(text: str, **_: object) -> str:
    return text


def style() -> Callable[..., str]:
    """Colours only on a terminal, and never under NO_COLOR (no-color.org)."""
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return click.style if colour else no_style


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))


def echo_written(written: Sequence[Path], fmt: str, verb: str, summary: str) -> None:
    """Files a command wrote: a line each and ``summary``, or JSON ``{"written": [...]}``."""
    if fmt == "json":
        echo_json({"written": [str(path) for path in written]})
        return
    for path in written:
        click.echo(f"{verb} {path}")
    click.echo(summary)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
