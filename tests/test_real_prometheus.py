"""Dashboards and alerts proven on real data: the simulator, scraped by a real Prometheus."""

from __future__ import annotations

import copy
import re
import shutil
import threading
import time
from collections.abc import Iterator

import niquests
import pytest

from phoenix_dash.build import Build
from phoenix_dash.check import run_checks
from phoenix_dash.simulate.model import Orchestrator
from phoenix_dash.simulate.server import Simulator
from tests.support.project import require
from tests.support.prometheus_stack import TIME_FACTOR, Stack, compress_rules
from tests.support.prometheus_stack import require_prometheus as prometheus

# Real Prometheus and VictoriaMetrics servers scraping and evaluating for real: the slow tests.
pytestmark = pytest.mark.slow

# What each failure scenario must fire (and nothing else), with the rules' time squeezed.
EXPECTED = {
    "normal": set(),
    "cpu_spike": {"CPU usage over quota", "CPU usage above request"},
    "memory_leak": {"Memory usage over quota", "Memory usage above request"},
    "disk_filling": {"Storage usage over quota", "Storage usage above request"},
    "agent_errors": {"Agent git error ratio high"},
    "stuck_queue": {"Task queue stuck"},
    "exporter_down": {"Scrape target down", "Orchestrator metrics absent"},
}


@pytest.fixture
def stack() -> Iterator[Stack]:
    prometheus()
    running = Stack()
    yield running
    running.stop()


def test_simulator_exposes_every_catalog_metric_with_its_labels(repo_build: Build) -> None:
    simulator = Simulator(Orchestrator()).start()
    try:
        text = niquests.get(f"{simulator.url}/metrics", timeout=10).text or ""
    finally:
        simulator.stop()
    exposed: dict[str, set[frozenset[str]]] = {}
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ", line)
        if match and not line.startswith("#"):
            labels = frozenset(re.findall(r'(\w+)="', match.group(2) or ""))
            exposed.setdefault(match.group(1), set()).add(labels)
    assert repo_build.catalog is not None
    for metric in repo_build.catalog.metrics.values():
        expected = set(metric.labels) - {"job", "instance"}  # Prometheus adds those
        for series in metric.series_names():
            assert series in exposed, series
            extra = {"le"} if series.endswith("_bucket") else set()
            assert exposed[series] == {frozenset(expected | extra)}, series


def test_scenarios_switch_by_http(stack: Stack) -> None:
    orchestrator = stack.simulator.orchestrator
    answer = niquests.post(f"{stack.simulator.url}/scenario?name=cpu_spike", timeout=10)
    assert answer.status_code == 200 and orchestrator.scenario == "cpu_spike"
    assert niquests.post(f"{stack.simulator.url}/scenario?name=nope", timeout=10).status_code == 400


def test_every_panel_returns_data(stack: Stack, repo_build: Build) -> None:
    stack.wait_ready()
    results = run_checks(repo_build, stack.url, scrape_seconds=1)
    panels = [r for r in results if r.kind == "panel"]
    targets = sum(
        len(p.get("targets", []))
        for d in repo_build.dashboards
        for row in d.json["panels"]
        for p in [row, *row.get("panels", [])]
    )
    assert len(panels) == targets > 60
    assert [
        f"{r.owner} [{r.ref}]: {r.status} {r.message}"
        for r in panels
        if r.status not in ("ok", "skipped")
    ] == []
    assert [r.owner for r in panels if r.status == "skipped"] == [
        "phoenix-overview / Recent errors"
    ]  # the Loki panel
    assert not [r for r in results if r.failed]


def test_broken_queries_are_reported(stack: Stack, repo_build: Build) -> None:
    stack.wait_ready()
    broken = copy.deepcopy(repo_build.dashboards[0].json)
    panel = next(p for p in broken["panels"] if p.get("targets"))
    panel["targets"] = [
        {"refId": "A", "expr": "phoenix_no_such_metric", "datasource": {"type": "prometheus"}},
        {"refId": "B", "expr": "rate(requests_total[", "datasource": {"type": "prometheus"}},
    ]
    build = Build(
        [
            type(repo_build.dashboards[0])(
                "broken", "Broken", repo_build.dashboards[0].location, frozenset(), tree=broken
            )
        ],
        None,
    )
    owner = f"broken / {panel['title']}"
    results = {r.ref: r for r in run_checks(build, stack.url, scrape_seconds=1) if r.owner == owner}
    assert results["A"].status == "empty" and results["A"].failed
    assert results["B"].status == "error" and "parse error" in results["B"].message


def test_alerts_fire_exactly_as_expected_in_each_scenario(repo_build: Build) -> None:
    prometheus()
    rules = compress_rules(repo_build.files()["alerts/prometheus/alert-rules.yaml"], TIME_FACTOR)
    stacks = {name: Stack(rules) for name in EXPECTED}
    problems: list[str] = []

    def run(name: str, stack: Stack) -> None:
        try:
            stack.wait_ready(samples=8)
            stack.simulator.orchestrator.set_scenario(name)
            deadline = time.monotonic() + 75
            while stack.firing() != EXPECTED[name] and time.monotonic() < deadline:
                time.sleep(1)
            time.sleep(3)  # and it stays that way
            firing = stack.firing()
            if firing != EXPECTED[name]:
                problems.append(
                    f"{name}: firing {sorted(firing)}, expected {sorted(EXPECTED[name])}"
                )
        except Exception as exc:
            problems.append(f"{name}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=item) for item in stacks.items()]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for stack in stacks.values():
            stack.stop()
    assert problems == []


def test_normal_data_keeps_every_rule_quiet_for_longer(repo_build: Build) -> None:
    # The scenario test waits for its alerts; here nothing may fire while every rule has had
    # time to (the longest squeezed `for` is 30 s).
    prometheus()
    stack = Stack(
        compress_rules(repo_build.files()["alerts/prometheus/alert-rules.yaml"], TIME_FACTOR)
    )
    try:
        stack.wait_ready(samples=8)
        time.sleep(35)
        assert stack.firing() == set()
    finally:
        stack.stop()


def test_compressing_rules_keeps_them_valid(repo_build: Build, tmp_path: object) -> None:
    import subprocess
    from pathlib import Path

    prometheus()
    path = Path(str(tmp_path)) / "rules.yaml"
    path.write_text(
        compress_rules(repo_build.files()["alerts/prometheus/alert-rules.yaml"], TIME_FACTOR)
    )
    text = path.read_text()
    assert "[5m]" not in text and "interval: 1s" in text
    done = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_panel_returns_data_from_victoriametrics(repo_build: Build) -> None:
    from tests.support.prometheus_stack import VictoriaMetrics

    require(
        shutil.which("victoria-metrics") is not None,
        "VictoriaMetrics not installed (Debian: apt-get install victoria-metrics)",
    )
    vm = VictoriaMetrics()
    try:
        vm.wait_ready()
        results = run_checks(repo_build, vm.url, scrape_seconds=1)
    finally:
        vm.stop()
    panels = [r for r in results if r.kind == "panel"]
    assert [
        f"{r.owner} [{r.ref}]: {r.status} {r.message}"
        for r in panels
        if r.status not in ("ok", "skipped")
    ] == []
    assert not [r for r in results if r.failed]


def test_check_command_exit_codes_and_json(stack: Stack) -> None:
    import json

    from click.testing import CliRunner

    from phoenix_dash.cli import main
    from tests.support.project import ROOT

    stack.wait_ready()
    config = str(ROOT / "phoenix-dash.yaml")
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--config",
            config,
            "--prometheus",
            stack.url,
            "--scrape-interval",
            "1s",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    statuses = {r["status"] for r in json.loads(result.output)["results"]}
    assert statuses <= {"ok", "empty", "skipped"}
    down = CliRunner().invoke(
        main, ["check", "--config", config, "--prometheus", "http://127.0.0.1:9"]
    )
    assert down.exit_code == 2 and down.output.startswith("error: cannot reach Prometheus")


def test_simulate_command_serves_and_switches(tmp_path: object) -> None:
    import subprocess
    import sys

    from tests.support.prometheus_stack import free_port

    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "phoenix_dash",
            "simulate",
            "--model",
            "phoenix",
            "--port",
            str(port),
            "--scenario",
            "stuck_queue",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = niquests.get(f"http://127.0.0.1:{port}/scenario", timeout=2)
                break
            except niquests.exceptions.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert (answer.text or "").strip() == "stuck_queue"
        assert "tasks_queued_total" in (
            niquests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text or ""
        )
        niquests.post(f"http://127.0.0.1:{port}/scenario?name=exporter_down", timeout=5)
        assert niquests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 503
    finally:
        process.kill()
        process.wait()
