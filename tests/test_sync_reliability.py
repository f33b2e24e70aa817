"""sync under failure: retried and interrupted writes, faults, exhausted retries, a killed
sync, and edits that land between plan and apply."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.api import Api, wait_for_search
from tests.support.emulator import Fault
from tests.support.project import MINIMAL_DASHBOARD
from tests.support.synced import EXTRA_DATASOURCE, LOKI_SECRET, RESOURCES, Synced, plan_now


def test_ui_edit_between_plan_and_apply_is_a_conflict(synced: Synced) -> None:
    from phoenix_dash.sync.applier import apply_plan

    emulator = synced.grafana.require_emulator()
    synced.run("sync")
    synced.edit("dashboards/overview.py", '"Health of the Phoenix', '"Health of Phoenix')
    connection, plan, target = plan_now(synced)
    assert [c.resource.key for c in plan.changes if c.writes] == ["phoenix-overview"]
    emulator.ui_edit("phoenix-overview", lambda d: d.update(title="Edited meanwhile"))
    (outcome,) = apply_plan(connection, plan, target)
    assert not outcome.ok and outcome.detail.startswith("conflict: changed by someone else")


@pytest.mark.parametrize("force", [False, True], ids=["conflict", "forced"])
def test_a_datasource_edit_between_plan_and_apply_is_a_conflict_unless_forced(
    synced: Synced, force: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.sync.applier import apply_plan

    monkeypatch.setenv("LOKI_PASSWORD", LOKI_SECRET)  # --force rewrites every datasource
    emulator = synced.grafana.require_emulator()
    synced.run("sync")
    synced.edit("datasources.yaml", "url: http://prometheus:9090", "url: http://prometheus:9091")
    connection, plan, target = plan_now(synced, force)
    assert "phoenix-prometheus" in [c.resource.key for c in plan.changes if c.writes]
    stored = emulator.state.org(1).datasources["phoenix-prometheus"]
    stored.update(url="http://someone:9090", version=stored["version"] + 1)  # saved in the UI
    outcomes = {o.change.resource.key: o for o in apply_plan(connection, plan, target)}
    outcome = outcomes["phoenix-prometheus"]
    url = emulator.state.org(1).datasources["phoenix-prometheus"]["url"]
    if force:
        assert outcome.ok and url == "http://prometheus:9091"
    else:
        assert not outcome.ok and outcome.detail.startswith("conflict: changed by someone else")
        assert url == "http://someone:9090"


@pytest.mark.parametrize("kind", ["folder", "datasource", "dashboard"])
def test_a_retried_create_whose_first_attempt_succeeded_is_not_a_conflict(
    synced: Synced, kind: str
) -> None:
    emulator = synced.grafana.require_emulator()
    method, path = (
        ("POST", "^/api/datasources$") if kind == "datasource" else synced.write(kind, "create")
    )
    emulator.inject(Fault(method, path, "drop", after=True))  # applied; the answer is lost
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    assert "-> written (an earlier attempt had succeeded)" in result.output
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


UPDATES = {  # what to change in code, and the uid of what it changes
    "folder": ("phoenix-dash.yaml", "phoenix: {title: Phoenix}", "phoenix: {title: Phoenix 2}"),
    "datasource": (
        "datasources.yaml",
        "url: http://prometheus:9090",
        "url: http://prometheus:9091",
    ),
    "dashboard": ("dashboards/overview.py", '"Health of the Phoenix', '"Health of Phoenix'),
}
UPDATED = {"folder": "phoenix", "datasource": "phoenix-prometheus", "dashboard": "phoenix-overview"}


@pytest.mark.parametrize("kind", sorted(UPDATES))
def test_a_retried_update_whose_first_attempt_succeeded_is_not_a_conflict(
    synced: Synced, kind: str
) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    synced.edit(*UPDATES[kind])
    method, path = (
        ("PUT", "^/api/datasources/uid/")
        if kind == "datasource"
        else synced.write(kind, "update", UPDATED[kind])
    )
    emulator.inject(Fault(method, path, "drop", after=True))
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    assert "-> written (an earlier attempt had succeeded)" in result.output
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


@pytest.mark.parametrize("kind", ["dashboard", "datasource"])
def test_a_retried_delete_whose_first_attempt_succeeded_is_done(synced: Synced, kind: str) -> None:
    emulator = synced.grafana.require_emulator()
    extra_dashboard = synced.root / "dashboards/extra.py"
    if kind == "dashboard":
        extra_dashboard.write_text(MINIMAL_DASHBOARD.format(uid="extra", title="Extra"))
    else:
        synced.edit("datasources.yaml", *EXTRA_DATASOURCE)
    first = synced.run("sync")
    assert first.exit_code == 0 and f"+ {kind} extra" in first.output, first.output
    if kind == "dashboard":
        wait_for_search(Api(synced.grafana), ["extra"])  # D7: prune finds it by search
        extra_dashboard.unlink()
    else:
        synced.edit("datasources.yaml", *reversed(EXTRA_DATASOURCE))
    method, path = (
        synced.write(kind, "delete", "extra")
        if kind == "dashboard"
        else ("DELETE", "/api/datasources/uid/extra$")
    )
    emulator.inject(Fault(method, path, "drop", after=True))  # deleted; the answer is lost
    pruned = synced.run("sync", "--prune", "--only", kind)
    assert pruned.exit_code == 0, pruned.output
    assert f"- {kind} extra" in pruned.output and "-> already deleted" in pruned.output


@pytest.mark.slow
def test_converges_under_faults(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    emulator.chaos(seed=7, errors=0.20, timeouts=0.05, throttles=0.05, timeout_delay=2.5)
    result = synced.run("sync")
    emulator.calm()
    assert result.exit_code == 0, result.output
    check = synced.run("sync")
    assert f"{RESOURCES} unchanged, 0 conflicts" in check.output


def test_retries_run_out_exit_1_naming_what_failed(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    method, path = synced.write("dashboard", "create")
    emulator.inject(Fault(method, path, "status", count=999, status=503))
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "FAILED + dashboard phoenix-overview" in result.output
    assert "503 Service Unavailable (after 6 retries)" in result.output
    emulator.faults.clear()
    assert synced.run("sync").exit_code == 0


@pytest.mark.slow
def test_a_sync_killed_mid_apply_converges_when_run_again(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    emulator.latency = 0.15
    env = {**os.environ, **synced.environment()}
    env.pop("GRAFANA_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "phoenix_dash", "sync", "--config", str(synced.config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not emulator.writes() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    emulator.latency = 0
    emulator.wait_idle()  # requests sent before the kill still land, as on a real server
    assert 0 < len(emulator.writes()) < RESOURCES  # really killed in the middle
    again = synced.run("sync")
    assert again.exit_code == 0, again.output
    assert f"{RESOURCES} unchanged" in synced.run("sync").output
