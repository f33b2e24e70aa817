"""Commands about metrics data: simulate, check."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..simulate.model import SCENARIOS

if TYPE_CHECKING:
    from ..catalog import Catalog
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
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9108, show_default=True, type=int)
@click.option(
    "--model",
    type=click.Choice(["catalog", "phoenix"]),
    default="catalog",
    show_default=True,
    help="What to simulate: every metric of the project's catalog (paths.catalog), or the "
    "Phoenix Orchestrator, with its failure scenarios.",
)
@click.option(
    "--scenario",
    type=click.Choice(SCENARIOS),
    default="normal",
    show_default=True,
    help="Failure scenario to start with (switch later: POST /scenario?name=...); a "
    "catalog has normal and exporter_down.",
)
@click.option("--seed", default=1, show_default=True, type=int)
def simulate(
    config_path: str | None, host: str, port: int, model: str, scenario: str, seed: int
) -> None:
    """Serve synthetic metrics on /metrics, for check and preview: the project's catalog
    (plausible values for each metric's type, unit and labels), or the Phoenix
    Orchestrator's."""
    from ..simulate.server import SimulatedState, Simulator

    state: SimulatedState
    scenarios: tuple[str, ...]
    if model == "phoenix":
        from ..simulate.model import Orchestrator

        state, scenarios = Orchestrator(seed), SCENARIOS
    else:
        from ..simulate.catalog_model import SCENARIOS as CATALOG_SCENARIOS
        from ..simulate.catalog_model import CatalogModel

        state, scenarios = CatalogModel(_project_catalog(config_path), seed), CATALOG_SCENARIOS
    try:
        state.set_scenario(scenario)
    except ValueError as exc:
        raise click.BadParameter(
            f"{exc}; --model phoenix has the others", param_hint="--scenario"
        ) from None
    simulator = Simulator(state, host, port)
    click.echo(
        f"serving {simulator.url}/metrics (scenario {scenario}); "
        f"POST {simulator.url}/scenario?name=<{'|'.join(scenarios)}>"
    )
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        simulator.stop()


def _project_catalog(config_path: str | None) -> Catalog:
    from ..catalog import load_catalog
    from ..errors import ConfigError

    config = project_config(config_path)
    if config.catalog_file is None:
        raise ConfigError(
            f"{config.file}: paths.catalog names no metric catalog to simulate "
            "(--model phoenix simulates the Phoenix Orchestrator)"
        )
    return load_catalog(config.catalog_file, config.display(config.catalog_file))


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
