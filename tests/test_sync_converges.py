"""Sync converges against a Grafana that changes what it is sent (BEHAVIOR.md, "What Grafana
does to what you send", reproduced by the emulator by default): no-op after sync, code changes
sync without conflicts, edits made elsewhere are conflicts, resources other tools manage are
left alone, and diff always says what sync --dry-run says."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.api import Api, folder
from tests.support.grafana import GrafanaTarget
from tests.support.synced import LOKI_SECRET, RESOURCES, Synced, plan_now, writes

P99_STEPS = ('("orange", 0.5), ("red", 1)', '("orange", 0.3), ("red", 1)')
NO_OP = re.compile(
    r"0 to create, 0 to update, 0 to delete, \d+ unchanged, 0 conflicts; "
    r"0 written, 0 failed"
)


def plan_of(synced: Synced, *args: str) -> list[tuple[str, str, str, str]]:
    """What `diff` says, checked against what `sync --dry-run` says (issue item 10)."""
    diff = synced.run("diff", "--format", "json", *args)
    dry = synced.run("sync", "--dry-run", "--format", "json", *args)
    assert diff.exit_code in (0, 1) and dry.exit_code in (0, 1), (diff.output, dry.output)

    def changes(output: str) -> list[tuple[str, str, str, str]]:
        return [
            (c["kind"], c["key"], c["action"], c["reason"]) for c in json.loads(output)["changes"]
        ]

    assert changes(diff.output) == changes(dry.output)
    return [c for c in changes(diff.output) if c[2] != "unchanged"]


def converged(synced: Synced) -> None:
    """A second sync writes nothing and reports nothing."""
    assert plan_of(synced) == []
    before = writes(synced.grafana)
    result = synced.run("sync")
    assert result.exit_code == 0 and NO_OP.search(result.output), result.output
    assert writes(synced.grafana) == before


@pytest.mark.parametrize("grafana", ["12.3.3", "13.2.0"], indirect=True)
def test_sync_then_sync_writes_nothing(grafana: GrafanaTarget, synced: Synced) -> None:
    first = synced.run("sync")
    if synced.schema == "v2" and synced.grafana_major() < 13:
        assert first.exit_code == 2  # Grafana 12 serves no dashboard.grafana.app/v2
        assert "dashboards.schema is v2, but" in first.output, first.output
        assert writes(synced.grafana) == 0
        return
    assert first.exit_code == 0 and f"{RESOURCES} written, 0 failed" in first.output
    converged(synced)


def test_no_op_survives_a_grafana_that_adds_a_new_field_everywhere(synced: Synced) -> None:
    """The next Grafana release adds a field with a default to every answer: still a no-op."""
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    emulator.quirks.future_field = ("futureSetting", {"enabled": False})
    converged(synced)


def test_a_code_change_updates_exactly_what_changed(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    synced.edit("dashboards/overview.py", *P99_STEPS)
    synced.edit("alerts/thresholds.yaml", "request_latency_p99: 1s", "request_latency_p99: 2s")
    synced.edit("datasources.yaml", "url: http://prometheus:9090", "url: http://prom2:9090")
    planned = plan_of(synced)
    assert sorted((kind, key, action) for kind, key, action, _ in planned) == [
        ("alert-group", "phoenix/Phoenix service", "update"),
        ("dashboard", "phoenix-overview", "update"),
        ("datasource", "phoenix-prometheus", "update"),
    ]
    result = synced.run("sync")
    assert result.exit_code == 0 and "0 conflicts; 3 written, 0 failed" in result.output
    assert emulator.state.org(1).datasources["phoenix-prometheus"]["url"] == "http://prom2:9090"
    converged(synced)


def ui_edit(synced: Synced, kind: str) -> str:
    """A person's edit in Grafana of one resource of ``kind``; returns the conflict text."""
    emulator = synced.grafana.require_emulator()
    if kind == "dashboard":
        emulator.ui_edit("phoenix-overview", lambda d: d.update(title="Edited"), user="alice")
        # The resource APIs name the editor as Grafana records it, a typed identity.
        who = "user:alice" if synced.api == "apis" else "alice"
        return f"CONFLICT dashboard phoenix-overview: last saved by {who}"
    if kind == "alert-group":
        rule = next(
            r for r in emulator.state.org(1).rules.values() if r["title"] == "Scrape target down"
        )
        emulator.ui_edit_rule(rule["uid"], lambda r: r.update(labels={"severity": "info"}))
        return (
            "CONFLICT alert-group phoenix/Phoenix service: rules edited outside "
            "phoenix-dash: Scrape target down"
        )
    if kind == "datasource":
        emulator.ui_edit_datasource("phoenix-loki", lambda d: d.update(url="http://edited"))
        return "CONFLICT datasource phoenix-loki: saved by someone else since"
    emulator.ui_edit_folder("phoenix", "Renamed by hand", user="alice")
    if synced.api == "apis":
        return "CONFLICT folder phoenix: last saved by user:alice"
    return "CONFLICT folder phoenix: renamed in Grafana by alice to 'Renamed by hand'"


KINDS = ["dashboard", "alert-group", "datasource", "folder"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_in_grafana_is_a_conflict_until_forced(synced: Synced, kind: str) -> None:
    assert synced.run("sync").exit_code == 0
    expected = ui_edit(synced, kind)
    # A code change to the same resource must not overwrite the edit either.
    synced.edit("dashboards/overview.py", *P99_STEPS)
    synced.edit("alerts/thresholds.yaml", "request_latency_p99: 1s", "request_latency_p99: 2s")
    synced.edit("datasources.yaml", "url: http://loki:3100", "url: http://loki2:3100")
    synced.config.write_text(
        synced.config.read_text().replace("{title: Phoenix}", "{title: Phoenix Orchestrator}")
    )
    assert (
        [c for c in plan_of(synced) if c[2] == "conflict"]
        == [c for c in plan_of(synced) if c[0] == kind and c[2] == "conflict"]
        != []
    )
    before = writes(synced.grafana)
    result = synced.run("sync", "--only", kind)
    assert result.exit_code == 1 and expected in result.output, result.output
    assert "(--force to overwrite)" in result.output
    assert writes(synced.grafana) == before  # nothing overwritten
    forced = synced.run("sync", "--force")
    assert forced.exit_code == 0, forced.output
    converged(synced)


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_between_plan_and_apply_is_a_conflict(
    synced: Synced, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.sync.applier import apply_plan

    monkeypatch.setenv("LOKI_PASSWORD", LOKI_SECRET)
    assert synced.run("sync").exit_code == 0
    synced.edit("dashboards/overview.py", *P99_STEPS)
    synced.edit("alerts/thresholds.yaml", "request_latency_p99: 1s", "request_latency_p99: 2s")
    synced.edit("datasources.yaml", "url: http://loki:3100", "url: http://loki2:3100")
    synced.config.write_text(
        synced.config.read_text().replace("{title: Phoenix}", "{title: Phoenix Orchestrator}")
    )
    connection, plan, target = plan_now(synced)
    assert len([c for c in plan.changes if c.writes]) == 4
    ui_edit(synced, kind)
    outcomes = apply_plan(connection, plan, target)
    failed = [(o.change.resource.kind, o.detail) for o in outcomes if not o.ok]
    assert len(failed) == 1 and failed[0][0] == kind, failed
    assert failed[0][1].startswith("conflict: changed by someone else during the sync")
    assert synced.run("sync").exit_code == 1  # still a conflict: the edit was kept
    assert synced.run("sync", "--force").exit_code == 0
    converged(synced)


def test_a_dashboard_stored_as_v2_is_reported_alone(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    emulator.store_as_v2("phoenix-performance")
    synced.edit("dashboards/overview.py", *P99_STEPS)
    assert ("dashboard", "phoenix-performance", "conflict") in [c[:3] for c in plan_of(synced)]
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "1 written, 0 failed" in result.output  # the overview's change was applied
    if synced.schema == "v2":  # a project writing v2 has nothing to lose: an edit like any
        assert "CONFLICT dashboard phoenix-performance: last saved by user:alice" in result.output
        assert synced.run("sync", "--force").exit_code == 0
        return
    assert "CONFLICT dashboard phoenix-performance: stored as schema v2 in Grafana" in result.output
    assert "--force" not in result.output.split("phoenix-performance")[1].splitlines()[0]
    assert synced.run("sync", "--force").exit_code == 1  # --force does not overwrite it


def test_resources_other_tools_manage_are_left_alone(synced: Synced, api: Api) -> None:
    emulator = synced.grafana.require_emulator()
    emulator.provision_datasource(
        {
            "uid": "phoenix-tempo",
            "name": "Phoenix Tempo",
            "type": "tempo",
            "url": "http://tempo:3200",
        }
    )
    emulator.provision_dashboard(
        {"uid": "phoenix-agent-health", "title": "Agent health"}, path="ops/agent-health.json"
    )
    assert api.call("POST", "/folders", {"uid": "phoenix", "title": "Phoenix"})[0] == 200
    emulator.provision_rule_group(
        "phoenix",
        "Phoenix tasks",
        [
            {
                "uid": "hand-rule",
                "title": "Kept",
                "condition": "A",
                "for": "1m",
                "noDataState": "OK",
                "execErrState": "Error",
                "data": [
                    {
                        "refId": "A",
                        "datasourceUid": "__expr__",
                        "model": {"type": "math", "expression": "1"},
                    }
                ],
            }
        ],
    )
    emulator.provision_dashboard(
        {"uid": "phoenix-business-metrics", "title": "Biz"}, plugin="grafana-business-app"
    )
    planned = {c[:2]: c[3] for c in plan_of(synced)}
    assert planned[("datasource", "phoenix-tempo")].startswith("managed by file provisioning")
    assert planned[("dashboard", "phoenix-agent-health")] == (
        "managed by file provisioning (ops/agent-health.json), not phoenix-dash; left unchanged"
    )
    assert planned[("alert-group", "phoenix/Phoenix tasks")].startswith(
        "managed by file provisioning"
    )
    result = synced.run("sync")
    assert result.exit_code == 1, result.output
    assert "changed by someone else" not in result.output
    org = emulator.state.org(1)
    assert org.datasources["phoenix-tempo"]["url"] == "http://tempo:3200"
    assert org.rules["hand-rule"]["title"] == "Kept"
    assert org.dashboards["phoenix-agent-health"].title == "Agent health"
    assert "phoenix-overview" in org.dashboards  # the rest was applied
    forced = synced.run("sync", "--force")
    assert forced.exit_code == 1
    assert "dashboard phoenix-business-metrics" in forced.output
    if synced.api == "apis":  # the resource APIs say who manages it: known at plan time
        said = "managed by a plugin (grafana-business-app), not phoenix-dash"
    else:  # the legacy API tells only when the write is refused
        said = "managed by a plugin (The dashboard belongs to plugin grafana-business-app.), "
    assert said in forced.output
    assert org.dashboards["phoenix-business-metrics"].title == "Biz"


def test_switching_rules_to_editable_takes_effect_in_one_sync(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    rules = emulator.state.org(1).rules
    assert {r["provenance"] for r in rules.values()} == {"api"}
    for editable, provenance in ((True, ""), (False, "api")):
        synced.config.write_text(
            synced.config.read_text()
            .replace(f"alert_rules_editable: {not editable}", "")
            .replace(
                "  managed_tag: phoenix-dash-test",
                f"  managed_tag: phoenix-dash-test\n  alert_rules_editable: {editable}",
            )
        )
        result = synced.run("sync")
        assert result.exit_code == 0 and "4 to update" in result.output, result.output
        assert {r["provenance"] for r in rules.values()} == {provenance}
        converged(synced)


def test_provenance_changed_behind_phoenix_dash_is_restored(synced: Synced) -> None:
    """A rule's provenance changed out of band: an unchanged group PUT would not reapply it
    (R5), so sync changes every rule once and then writes the group."""
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    rules = emulator.state.org(1).rules
    for rule in rules.values():
        rule["provenance"] = ""
    assert ("alert-group", "phoenix/Phoenix service", "update", "lock against UI edits") in plan_of(
        synced
    )
    assert synced.run("sync").exit_code == 0
    assert {r["provenance"] for r in rules.values()} == {"api"}
    converged(synced)


def test_a_folder_moved_in_code_is_moved(synced: Synced, api: Api) -> None:
    emulator = synced.grafana.require_emulator()
    synced.config.write_text(
        synced.config.read_text().replace(
            "  phoenix: {title: Phoenix}",
            "  platform: {title: Platform}\n  phoenix: {title: Phoenix}",
        )
    )
    assert synced.run("sync").exit_code == 0
    synced.config.write_text(
        synced.config.read_text().replace(
            "  phoenix: {title: Phoenix}", "  phoenix: {title: Phoenix, parent: platform}"
        )
    )
    assert plan_of(synced) == [("folder", "phoenix", "update", "changed in code")]
    result = synced.run("sync")
    assert result.exit_code == 0 and "-> moved" in result.output, result.output
    assert emulator.state.org(1).folders["phoenix"].parent_uid == "platform"
    converged(synced)


def test_a_message_grafana_would_refuse_is_refused_before_any_write(synced: Synced) -> None:
    result = synced.run("sync", "--message", "m" * 480)
    assert result.exit_code == 2
    assert "--message is 480 characters; Grafana keeps at most 500" in result.output
    assert writes(synced.grafana) == 0
    ok = synced.run("sync", "--message", "m" * 400)
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("synced", ["legacy"], indirect=True)  # /api/search's parameters
def test_pull_sends_repeated_parameters_and_pages(
    synced: Synced, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.sync import pull

    emulator = synced.grafana.require_emulator()
    emulator.quirks.search_lag = 0  # this test is about paging, not the index's delay
    folders = [folder(api), folder(api)]
    for number in range(5):
        body = {"uid": f"p{number}", "title": f"p{number}", "tags": ["team"]}
        assert (
            api.call(
                "POST", "/dashboards/db", {"dashboard": body, "folderUid": folders[number % 2]}
            )[0]
            == 200
        )
    monkeypatch.setattr(pull, "PAGE", 2)
    out = synced.root / "pulled"
    result = synced.run("pull", "--folder", folders[0], "--folder", folders[1], "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in out.glob("*.json")) == [f"p{n}" for n in range(5)]
    searches = [e.query for e in emulator.log if e.path == "/api/search"]
    assert [q["folderUIDs"] for q in searches] == [folders] * 3  # repeated, not comma-joined
    assert [q["page"] for q in searches] == [["1"], ["2"], ["3"]]
    assert pull.search_dashboards.__defaults__ is not None and pull.PAGE == 2


def test_a_search_limit_over_5000_is_never_sent() -> None:
    from phoenix_dash.sync import pull

    assert pull.PAGE <= 5000  # Grafana answers 422 above it (D7)


def test_outcomes_name_the_version_grafana_gave(synced: Synced) -> None:
    """Datasource writes record the version Grafana gives them (S1: sent version + 1), so a
    rerun recognises its own write."""
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    record: dict[str, Any] = emulator.state.org(1).datasources["phoenix-loki"]
    assert record["jsonData"]["phoenixDashVersion"] == record["version"] == 1
    synced.edit("datasources.yaml", "url: http://loki:3100", "url: http://loki2:3100")
    assert synced.run("sync").exit_code == 0
    record = emulator.state.org(1).datasources["phoenix-loki"]
    assert record["jsonData"]["phoenixDashVersion"] == record["version"] == 2


def test_diff_with_a_read_only_credential_compares_what_phoenix_dash_owns(
    synced: Synced,
) -> None:
    """Grafana shows a dashboard's history only to who may save it: a PR job's Viewer token
    still gets a correct diff (no false changes, the real ones shown)."""
    assert synced.run("sync").exit_code == 0
    viewer = synced.grafana.viewer_token
    if viewer is None:
        pytest.skip("set PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN for the real-Grafana run")
    synced.grafana.token = viewer
    assert plan_of(synced) == []
    synced.edit("dashboards/overview.py", *P99_STEPS)
    result = synced.run("diff")
    assert result.exit_code == 1, result.output
    # Who saved it: on /apis metadata anyone who may read it sees; on the legacy API the
    # record phoenix-dash keeps in the dashboard, which names the current version.
    assert "~ dashboard phoenix-overview (Phoenix / Overview) update: changed in code" in (
        result.output
    )
    if synced.api == "apis":
        assert "note: Grafana's dry run was not asked: this credential may not write" in (
            result.output
        )
    edited = synced.grafana.require_emulator() if synced.api == "legacy" else None
    if edited is not None:  # saved in the UI since: the record names an older version
        edited.ui_edit("phoenix-overview", lambda d: d.update(title="Mine"))
        result = synced.run("diff")
        assert (
            "~ dashboard phoenix-overview (Phoenix / Overview) update: changed (this "
            "credential may not read who saved it last)" in result.output
        ), result.output
    assert "Latency p99: threshold 0.5 -> 0.3" in result.output
    assert "0 to create, 1 to update" in result.output


@pytest.mark.parametrize("synced", ["legacy"], indirect=True)
def test_a_legacy_no_op_reads_each_dashboard_once(synced: Synced) -> None:
    """The record phoenix-dash keeps in the dashboard names the version its write made: a
    no-op needs no read of the version's message. A dashboard an older phoenix-dash wrote
    (no record) is still its own, by the message, and gets the record at its next write."""
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    emulator.log.clear()
    assert f"{RESOURCES} unchanged, 0 conflicts" in synced.run("sync").output
    reads = [e.path for e in emulator.log if e.method == "GET" and "/dashboards/uid/" in e.path]
    assert len(reads) == 4 and not [p for p in reads if "/versions" in p], reads
    stored = emulator.state.org(1).dashboards["phoenix-overview"].current.data
    del stored["phoenixDash"]  # as an older phoenix-dash wrote it
    emulator.log.clear()
    assert f"{RESOURCES} unchanged, 0 conflicts" in synced.run("sync").output
    versions = [e.path for e in emulator.log if "/versions/" in e.path]
    assert versions == ["/api/dashboards/uid/phoenix-overview/versions/1"], versions
