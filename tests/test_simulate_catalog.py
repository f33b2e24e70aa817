"""`simulate` for any project: every metric of its catalog, of its type, with its labels and
plausible values; a project made by init passes `check` against a real Prometheus scraping
it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from phoenix_dash.catalog import Catalog, Metric, load_catalog
from phoenix_dash.cli import main
from phoenix_dash.simulate.catalog_model import CatalogModel
from phoenix_dash.simulate.server import Simulator
from tests.support.project import ROOT

METRICS = [
    Metric("up", "gauge", "short", "", ("job", "instance")),
    Metric("http_requests_total", "counter", "reqps", "", ("job", "code", "method")),
    Metric("http_request_duration_seconds", "histogram", "s", "", ("route",)),
    Metric("rpc_duration_milliseconds", "summary", "ms", "", ()),
    Metric("cpu_usage_percent", "gauge", "percent", "", ("namespace", "pod")),
    Metric("cache_hit_ratio", "gauge", "percentunit", "", ()),
    Metric("queue_depth", "gauge", "short", "", ("a", "b", "c", "d")),
]


def exposed(model: CatalogModel) -> dict[str, object]:
    import niquests

    simulator = Simulator(model).start()
    try:
        text = niquests.get(f"{simulator.url}/metrics", timeout=5).text or ""
    finally:
        simulator.stop()
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_every_catalog_metric_is_served_with_its_type_and_labels() -> None:
    model = CatalogModel(Catalog("metrics.yaml", {m.name: m for m in METRICS}))
    families = exposed(model)
    types = {name: family.type for name, family in families.items()}  # type: ignore[attr-defined]
    assert types == {
        "up": "gauge",
        "http_requests": "counter",  # the parser names a counter without _total
        "http_request_duration_seconds": "histogram",
        "rpc_duration_milliseconds": "summary",
        "cpu_usage_percent": "gauge",
        "cache_hit_ratio": "gauge",
        "queue_depth": "gauge",
    }
    samples = {
        name: family.samples  # type: ignore[attr-defined]
        for name, family in families.items()
    }
    # job and instance are the scrape's (Prometheus adds them), never the exporter's.
    assert all(
        "job" not in s.labels and "instance" not in s.labels for f in samples.values() for s in f
    )
    assert [s.value for s in samples["up"]] == [1.0]
    requests = {
        (s.labels["code"], s.labels["method"]): s.value
        for s in samples["http_requests"]
        if s.name.endswith("_total")
    }
    assert set(requests) == {("200", "GET"), ("200", "POST"), ("500", "GET"), ("500", "POST")}
    assert 0 < requests[("500", "GET")] < requests[("200", "GET")] * 0.05  # errors: a small share
    assert all(0 <= s.value <= 100 for s in samples["cpu_usage_percent"])
    assert len(samples["cpu_usage_percent"]) == 4  # two namespaces x two pods
    assert all(0 <= s.value <= 1 for s in samples["cache_hit_ratio"])
    depths = samples["queue_depth"]
    assert len(depths) == 8 and all(s.value == int(s.value) for s in depths)  # capped, whole
    buckets = [
        s.value
        for s in samples["http_request_duration_seconds"]
        if s.name.endswith("_bucket") and s.labels["route"] == "/api/items"
    ]
    assert buckets == sorted(buckets) and buckets[-1] > 0  # cumulative
    count = [s.value for s in samples["rpc_duration_milliseconds"] if s.name.endswith("_count")]
    assert count and count[0] == int(count[0])


def test_counters_grow_between_scrapes() -> None:
    model = CatalogModel(Catalog("metrics.yaml", {m.name: m for m in METRICS}))
    first = model.counters["http_requests_total"].copy()
    model.tick(10.0)
    assert all(model.counters["http_requests_total"][k] > v for k, v in first.items())


def test_a_project_without_a_catalog_is_told_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "phoenix-dash.yaml").write_text(
        "version: 1\ndatasources:\n  prometheus: {type: prometheus, uid: p}\n"
    )
    result = CliRunner().invoke(main, ["simulate", "--config", str(tmp_path / "phoenix-dash.yaml")])
    assert result.exit_code == 2
    assert "paths.catalog names no metric catalog" in result.output


def test_a_phoenix_scenario_needs_the_phoenix_model() -> None:
    result = CliRunner().invoke(
        main, ["simulate", "--config", str(ROOT / "phoenix-dash.yaml"), "--scenario", "cpu_spike"]
    )
    assert result.exit_code == 2 and "--model phoenix has the others" in result.output


@pytest.mark.slow
def test_a_project_made_by_init_passes_check_against_its_simulated_metrics(tmp_path: Path) -> None:
    from tests.support.prometheus_stack import Stack, require_prometheus

    require_prometheus()
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    catalog = load_catalog(tmp_path / "metrics.yaml")
    stack = Stack(state=CatalogModel(catalog))
    try:
        stack.wait_ready(samples=6)
        result = CliRunner().invoke(
            main,
            [
                "check",
                "--config",
                str(tmp_path / "phoenix-dash.yaml"),
                "--prometheus",
                stack.url,
                "--scrape-interval",
                "1s",
            ],
        )
    finally:
        stack.stop()
    assert result.exit_code == 0, result.output
    # Every panel has data; an alert query may be empty when all is well (`up == 0`).
    lines = result.output.splitlines()
    assert [line for line in lines if line.startswith("ok") and " panel " in line]
    assert [line for line in lines if not line.startswith("ok") and " alert " not in line] == [
        lines[-1]
    ]
    assert lines[-1].endswith(" 0 failing")
