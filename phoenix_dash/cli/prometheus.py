"""Commands about metrics data: simulate, check."""

from __future__ import annotations

import sys

import click

from ..simulate.model import SCENARIOS
from . import main
from .common import (
    config_option,
    echo_json,
    format_option,
    project_config,
    prometheus_client,
    prometheus_from_options,
    prometheus_options,
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9108, show_default=True, type=int)
@click.option(
    "--scenario",
    type=click.Choice(SCENARIOS),
    default="normal",
    show_default=True,
    help="Failure scenario to start with (switch later: POST /scenario?name=...).",
)
@click.option("--seed", default=1, show_default=True, type=int)
def simulate(host: str, port: int, scenario: str, seed: int) -> None:
    """Serve synthetic Phoenix Orchestrator metrics on /metrics."""
    from ..simulate.model import Orchestrator
    from ..simulate.server import Simulator

    orchestrator = Orchestrator(seed)
    orchestrator.set_scenario(scenario)
    simulator = Simulator(orchestrator, host, port)
    click.echo(
        f"serving {simulator.url}/metrics (scenario {scenario}); "
        f"POST {simulator.url}/scenario?name=<{'|'.join(SCENARIOS)}>"
    )
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        simulator.stop()


@main.command()
@config_option
@prometheus_options
@click.option(
    "--scrape-interval",
    help="Scrape interval there (default: from the config); $__rate_interval is four of them.",
)
@format_option("json")
def check(
    config_path: str | None,
    prometheus_url: str | None,
    headers: tuple[str, ...],
    ca_bundle: str | None,
    scrape_interval: str | None,
    fmt: str,
) -> None:
    """Run every panel and alert query against a live Prometheus: ok, empty or error.
    Credentials from $PROMETHEUS_TOKEN (bearer), or $PROMETHEUS_USER and
    $PROMETHEUS_PASSWORD (basic auth)."""
    from ..build import build_project
    from ..check import run_checks
    from ..quantities import parse_duration

    config = project_config(config_path)
    settings = prometheus_from_options(config, prometheus_url, headers, ca_bundle)
    seconds = parse_duration(scrape_interval or config.scrape_interval)
    build = build_project(config, with_sources=False)
    results = run_checks(build, prometheus_client(settings), seconds)
    if fmt == "json":
        echo_json({"results": [r.as_json() for r in results]})
    else:
        for result in results:
            note = f" ({result.message})" if result.message else ""
            click.echo(f"{result.status:7} {result.kind:5} {result.owner} [{result.ref}]{note}")
        failed = sum(r.failed for r in results)
        click.echo(
            f"{len(results)} queries: {sum(r.status == 'ok' for r in results)} ok, {failed} failing"
        )
    sys.exit(1 if any(r.failed for r in results) else 0)
