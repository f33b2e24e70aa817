"""End to end on real components: Debian's Prometheus evaluates the built rules against the
simulator and sends what fires to Debian's Alertmanager loaded with the built
alertmanager.yml, whose Slack and PagerDuty receivers post to a recorder here. A critical
alert pages on-call with the rendered title; a warning reaches the team's channel with its
summary and runbook; during the maintenance mute timing the warning waits and the page
does not."""

from __future__ import annotations

import shutil
import threading
import time
from typing import Any

import pytest

from phoenix_dash.build import Build
from phoenix_dash.notifications.outputs import alertmanager_config
from tests.support.alertmanager import Alertmanager, Recorder, running
from tests.support.project import ROOT, require
from tests.support.prometheus_stack import TIME_FACTOR, Stack, compress_rules
from tests.support.prometheus_stack import require_prometheus as prometheus

TEMPLATES = ROOT / "build/notifications/alertmanager/templates"
RUNBOOK = "https://runbooks.phoenix.example.com/alerts/phoenix-cpu-over-quota"


def all_day_every_day(config: dict[str, Any]) -> dict[str, Any]:
    """The built configuration with its maintenance window made to cover now."""
    for interval in config["time_intervals"]:
        interval["time_intervals"] = [{"times": [{"start_time": "00:00", "end_time": "24:00"}]}]
    return config


def wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.slow
def test_alerts_reach_people_through_the_built_alertmanager(repo_build: Build) -> None:
    prometheus()
    require(
        shutil.which("prometheus-alertmanager") is not None,
        "Alertmanager not installed (Debian: apt-get install prometheus-alertmanager)",
    )
    assert repo_build.notifications is not None
    config = alertmanager_config(repo_build.notifications)
    open_hours, maintenance = Recorder(), Recorder()
    managers = (
        Alertmanager(config, TEMPLATES, open_hours),
        Alertmanager(
            all_day_every_day(alertmanager_config(repo_build.notifications)), TEMPLATES, maintenance
        ),
    )
    rules = compress_rules(repo_build.files()["alerts/prometheus/alert-rules.yaml"], TIME_FACTOR)
    urls = tuple(manager.url for manager in managers)
    stacks = [Stack(rules, "normal", urls) for _ in ("memory_leak", "cpu_spike")]
    try:
        with running(*managers):
            ready = [threading.Thread(target=stack.wait_ready, args=(8,)) for stack in stacks]
            for thread in ready:
                thread.start()
            for thread in ready:
                thread.join()
            for stack, scenario in zip(stacks, ("memory_leak", "cpu_spike"), strict=True):
                stack.simulator.orchestrator.set_scenario(scenario)
            arrived = wait_for(
                lambda: (
                    open_hours.at("/pagerduty")
                    and open_hours.at("/slack")
                    and maintenance.at("/pagerduty")
                ),
                120,
            )
            time.sleep(5)  # anything muted that was going to slip through has had its chance
    finally:
        for stack in stacks:
            stack.stop()
        open_hours.stop()
        maintenance.stop()
    assert arrived, (open_hours.deliveries, maintenance.deliveries)
    pages = [d.body["payload"]["summary"] for d in open_hours.at("/pagerduty")]
    assert any(p.startswith("[FIRING:1] Memory usage over quota") for p in pages), pages
    messages = [
        attachment["text"]
        for delivery in open_hours.at("/slack")
        for attachment in delivery.body["attachments"]
    ]
    over_quota = [m for m in messages if "CPU usage of" in m and "is over its quota" in m]
    assert over_quota and f"Runbook: {RUNBOOK}" in over_quota[0], messages
    assert "*warning*" in over_quota[0]
    # The maintenance window mutes the warning, not the page.
    assert maintenance.at("/pagerduty") and not maintenance.at("/slack"), maintenance.deliveries
