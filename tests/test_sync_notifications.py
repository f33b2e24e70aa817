"""Sync of notifications.yaml to Grafana (issue 26's "Done means"): contact points, templates,
mute timings and phoenix-dash's route in the shared policy tree, against the emulator as
Grafana 12 and 13 (or a real Grafana), with what Grafana does to what it stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.synced import (
    NOTIFICATION_RESOURCES,
    ONE_API,
    PAGERDUTY_SECRET,
    RESOURCES,
    SLACK_SECRET,
    Synced,
)

BASE = "/v1/provisioning"
EDITABLE = {"X-Disable-Provenance": "true"}
VERSIONS = pytest.mark.parametrize("grafana", ["12.3.3", "13.2.0"], indirect=True)
LEDGER = "phoenix-dash-ledger.phoenix-dash-test"
OURS = ["team", "=", "platform"]


def alerting_writes(synced: Synced) -> list[str]:
    emulator = synced.grafana.require_emulator()
    return [
        f"{w.method} {w.path}"
        for w in emulator.writes()
        if "/provisioning/" in w.path
        and "alert-rules" not in w.path
        and "rule-groups" not in w.path
    ]


def no_dry_run_sent(synced: Synced) -> None:
    emulator = synced.grafana.emulator
    if emulator is not None:
        alerting = [e for e in emulator.log if "/provisioning/" in e.path or "alerting" in e.path]
        assert alerting and not any("dryRun" in e.query for e in alerting)


def edit_project(synced: Synced, old: str, new: str) -> None:
    path = synced.config.parent / "notifications.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def our_route(api: Api) -> dict[str, Any]:
    tree = api.call("GET", f"{BASE}/policies")[1]
    [route] = [r for r in tree.get("routes") or [] if r.get("object_matchers") == [OURS]]
    return dict(route)


@VERSIONS
@ONE_API
def test_first_sync_creates_every_notification_resource_second_writes_nothing(
    synced: Synced, api: Api
) -> None:
    first = synced.run("sync")
    assert first.exit_code == 0, first.output
    for label in (
        "contact-point phoenix-oncall",
        "contact-point phoenix-slack",
        "template phoenix.title",
        "template phoenix.message",
        "mute-timing phoenix-maintenance",
        "policy policies",
    ):
        assert f"+ {label}" in first.output
    points = {p["uid"]: p for p in api.call("GET", f"{BASE}/contact-points")[1]}
    assert points["phoenix-oncall"]["settings"]["integrationKey"] == "[REDACTED]"
    assert points["phoenix-slack"]["provenance"] == "api"  # locked: sync's default
    assert our_route(api)["routes"][0]["receiver"] == "phoenix-oncall"
    emulator = synced.grafana.emulator
    if emulator is not None:
        stored = emulator.state.org(1).integrations
        assert stored["phoenix-oncall"]["secure"] == {"integrationKey": PAGERDUTY_SECRET}
        assert stored["phoenix-slack"]["secure"] == {"url": SLACK_SECRET}
        emulator.log.clear()
    second = synced.run("sync", "--verbose")
    assert f"{RESOURCES} unchanged, 0 conflicts" in second.output, second.output
    assert "GET /api/v1/provisioning/contact-points" in second.output  # the requests logged
    if emulator is not None:
        assert emulator.writes() == []
    no_dry_run_sent(synced)
    for output in (first.output, second.output):
        assert PAGERDUTY_SECRET not in output and SLACK_SECRET not in output


@ONE_API
def test_a_code_change_to_one_contact_point_is_one_write(synced: Synced) -> None:
    synced.run("sync")
    synced.grafana.require_emulator().log.clear()
    edit_project(synced, 'recipient: "#phoenix-alerts"', 'recipient: "#phoenix-pages"')
    diff = synced.run("diff")
    assert diff.exit_code == 1
    assert "settings.recipient: #phoenix-alerts -> #phoenix-pages" in diff.output
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    assert "1 to update" in result.output
    # The contact point, and phoenix-dash's record of what it wrote.
    assert alerting_writes(synced) == [
        f"PUT /api{BASE}/contact-points/phoenix-slack",
        f"PUT /api{BASE}/templates/{LEDGER}",
    ]
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


def add_other_team(api: Api) -> None:
    """What another team does in Grafana: a contact point, and a route first in the tree."""
    body = {
        "uid": "db-pager",
        "name": "db-pager",
        "type": "webhook",
        "settings": {"url": "http://db.example.invalid/hook"},
    }
    assert api.call("POST", f"{BASE}/contact-points", body, headers=EDITABLE)[0] == 202
    tree = api.call("GET", f"{BASE}/policies")[1]
    provenance = tree.pop("provenance", "")
    route = {"receiver": "db-pager", "object_matchers": [["team", "=", "db"]]}
    tree["routes"] = [route, *(tree.get("routes") or [])]
    headers = None if provenance else EDITABLE
    assert api.call("PUT", f"{BASE}/policies", tree, headers=headers)[0] == 202


@VERSIONS
@ONE_API
def test_another_teams_route_and_contact_point_survive_sync_and_prune(
    synced: Synced, api: Api
) -> None:
    synced.run("sync")
    add_other_team(api)
    edit_project(
        synced,
        "    - matchers: ['severity=\"info\"']\n      receiver: phoenix-slack\n"
        "      repeat_interval: 12h\n      mute_time_intervals: [phoenix-maintenance]\n",
        "",
    )
    for args in (("sync",), ("sync", "--prune")):
        result = synced.run(*args)
        assert result.exit_code == 0, result.output
    tree = api.call("GET", f"{BASE}/policies")[1]
    assert tree["routes"][0] == {"receiver": "db-pager", "object_matchers": [["team", "=", "db"]]}
    assert tree["receiver"] == "grafana-default-email"
    assert len(our_route(api)["routes"]) == 2
    uids = {p["uid"] for p in api.call("GET", f"{BASE}/contact-points")[1]}
    assert {"db-pager", "grafana-default-email-uid", "phoenix-oncall"} <= uids
    assert f"{RESOURCES} unchanged" in synced.run("sync", "--prune").output


def editable(synced: Synced) -> None:
    text = synced.config.read_text()
    synced.config.write_text(
        text.replace(
            "  managed_tag: phoenix-dash-test\n",
            "  managed_tag: phoenix-dash-test\n  notifications_editable: true\n",
        )
    )


def edit_contact_point(api: Api) -> Callable[[], Any]:
    body = {
        "uid": "phoenix-slack",
        "name": "phoenix-slack",
        "type": "slack",
        "settings": {"url": "[REDACTED]", "recipient": "#somewhere-else"},
    }
    api.call("PUT", f"{BASE}/contact-points/phoenix-slack", body, headers=EDITABLE)
    return lambda: api.call("GET", f"{BASE}/contact-points", name="phoenix-slack")[1][0][
        "settings"
    ]["recipient"]


def edit_mute_timing(api: Api) -> Callable[[], Any]:
    body = {
        "name": "phoenix-maintenance",
        "time_intervals": [{"weekdays": ["saturday"]}],
    }
    api.call("PUT", f"{BASE}/mute-timings/phoenix-maintenance", body, headers=EDITABLE)
    return lambda: api.call("GET", f"{BASE}/mute-timings/phoenix-maintenance")[1]["time_intervals"][
        0
    ]["weekdays"]


def edit_template(api: Api) -> Callable[[], Any]:
    body = {"template": '{{ define "phoenix.title" }}edited{{ end }}'}
    api.call("PUT", f"{BASE}/templates/phoenix.title", body, headers=EDITABLE)
    return lambda: api.call("GET", f"{BASE}/templates/phoenix.title")[1]["template"]


def edit_route(api: Api) -> Callable[[], Any]:
    tree = api.call("GET", f"{BASE}/policies")[1]
    tree.pop("provenance", None)
    for route in tree["routes"]:
        if route.get("object_matchers") == [OURS]:
            route["routes"][0]["receiver"] = "phoenix-slack"
    api.call("PUT", f"{BASE}/policies", tree, headers=EDITABLE)
    return lambda: our_route(api)["routes"][0]["receiver"]


@VERSIONS
@ONE_API
@pytest.mark.parametrize(
    ("edit", "label"),
    [
        (edit_contact_point, "contact-point phoenix-slack"),
        (edit_mute_timing, "mute-timing phoenix-maintenance"),
        (edit_template, "template phoenix.title"),
        (edit_route, "policy policies"),
    ],
)
def test_an_edit_in_grafana_is_a_conflict_kept_without_force_restored_with_it(
    synced: Synced, api: Api, edit: Callable[[Api], Callable[[], Any]], label: str
) -> None:
    editable(synced)
    assert synced.run("sync").exit_code == 0
    read = edit(api)
    edited = read()
    result = synced.run("sync")
    assert result.exit_code == 1, result.output
    assert f"CONFLICT {label}: " in result.output and "edited in Grafana" in result.output
    assert read() == edited
    forced = synced.run("sync", "--force")
    assert forced.exit_code == 0, forced.output
    assert read() != edited
    assert f"{RESOURCES} unchanged, 0 conflicts" in synced.run("sync").output


@ONE_API
def test_prune_of_a_referenced_contact_point_updates_the_route_first(synced: Synced) -> None:
    synced.run("sync")
    edit_project(
        synced,
        "    - matchers: ['severity=\"critical\"']\n      receiver: phoenix-oncall\n"
        "      group_wait: 10s\n      repeat_interval: 1h\n",
        "",
    )
    notifications = synced.config.parent / "notifications.yaml"
    text = notifications.read_text()
    start = text.index("  - name: phoenix-oncall")
    notifications.write_text(text[:start] + text[text.index("  - name: phoenix-slack") :])
    emulator = synced.grafana.require_emulator()
    emulator.log.clear()
    result = synced.run("sync", "--prune")
    assert result.exit_code == 0, result.output
    writes = alerting_writes(synced)
    assert writes.index(f"PUT /api{BASE}/policies") < writes.index(
        f"DELETE /api{BASE}/contact-points/phoenix-oncall"
    )
    assert not [e for e in emulator.log if e.status == 409]


@ONE_API
def test_prune_keeps_a_contact_point_another_teams_route_uses(synced: Synced, api: Api) -> None:
    synced.run("sync")
    tree = api.call("GET", f"{BASE}/policies")[1]
    tree.pop("provenance", None)
    tree["routes"].append({"receiver": "phoenix-oncall", "object_matchers": [["team", "=", "db"]]})
    api.call("PUT", f"{BASE}/policies", tree, headers=EDITABLE)
    notifications = synced.config.parent / "notifications.yaml"
    text = notifications.read_text().replace("receiver: phoenix-oncall", "receiver: phoenix-slack")
    start = text.index("  - name: phoenix-oncall")
    notifications.write_text(text[:start] + text[text.index("  - name: phoenix-slack") :])
    result = synced.run("sync", "--prune")
    assert result.exit_code == 1
    assert "contact-point phoenix-oncall" in result.output
    assert "routes phoenix-dash does not own use it (route team=db)" in result.output
    emulator = synced.grafana.emulator
    if emulator is not None:
        assert not [e for e in emulator.log if e.status == 409]
    uids = {p["uid"] for p in api.call("GET", f"{BASE}/contact-points")[1]}
    assert "phoenix-oncall" in uids


@ONE_API
def test_a_contact_point_of_the_same_name_is_not_joined(synced: Synced, api: Api) -> None:
    body = {
        "uid": "someone-elses",
        "name": "phoenix-slack",
        "type": "webhook",
        "settings": {"url": "http://example.invalid"},
    }
    api.call("POST", f"{BASE}/contact-points", body, headers=EDITABLE)
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "Grafana already has a contact point named 'phoenix-slack'" in result.output
    assert len(api.call("GET", f"{BASE}/contact-points", name="phoenix-slack")[1]) == 1


@ONE_API
def test_locked_resources_cannot_become_editable_and_say_so_before_writing(
    synced: Synced,
) -> None:
    synced.run("sync")
    editable(synced)
    synced.grafana.require_emulator().log.clear()
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "refuses to make UI-editable" in result.output
    assert alerting_writes(synced) == []


@ONE_API
def test_dry_run_and_diff_plan_on_the_client(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    for args in (("sync", "--dry-run"), ("diff",)):
        result = synced.run(*args)
        assert "+ contact-point phoenix-oncall" in result.output
    assert alerting_writes(synced) == []
    no_dry_run_sent(synced)
    assert emulator.state.org(1).mute_timings == {}


@ONE_API
def test_creating_a_contact_point_needs_its_secret_an_update_does_not(synced: Synced) -> None:
    env = synced.environment()
    del env["PHOENIX_PAGERDUTY_KEY"]
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, [*args, "--config", str(synced.config)], env=env)

    first = run("sync")
    assert first.exit_code == 2
    assert "contact-point phoenix-oncall: integrationKey needs $PHOENIX_PAGERDUTY_KEY" in (
        first.output
    )
    assert alerting_writes(synced) == []
    assert synced.run("sync").exit_code == 0
    edit_project(synced, "severity: critical\n      summary", "severity: error\n      summary")
    result = run("sync")
    assert result.exit_code == 0, result.output
    stored = synced.grafana.require_emulator().state.org(1).integrations["phoenix-oncall"]
    assert stored["secure"] == {"integrationKey": PAGERDUTY_SECRET}  # kept ("[REDACTED]" sent)
    assert NOTIFICATION_RESOURCES == 6


@ONE_API
def test_a_contact_point_with_the_codes_uid_made_elsewhere_is_a_conflict(
    synced: Synced, api: Api
) -> None:
    body = {
        "uid": "phoenix-slack",
        "name": "phoenix-slack",
        "type": "slack",
        "settings": {"url": "https://hooks.example.invalid/x", "recipient": "#theirs"},
    }
    api.call("POST", f"{BASE}/contact-points", body)
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "CONFLICT contact-point phoenix-slack: exists and was not written by phoenix-dash" in (
        result.output
    )
    assert synced.run("sync", "--force").exit_code == 0
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


@ONE_API
def test_a_changed_selector_replaces_the_old_route(synced: Synced, api: Api) -> None:
    synced.run("sync")
    edit_project(
        synced, "matchers: ['team=\"platform\"']", "matchers: ['team=~\"platform|phoenix\"']"
    )
    # The rules' alerts carry team="platform": still selected, by the new matcher.
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    tree = api.call("GET", f"{BASE}/policies")[1]
    selectors = [r.get("object_matchers") for r in tree.get("routes") or []]
    assert selectors == [[["team", "=~", "platform|phoenix"]]]
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


@ONE_API
def test_two_routes_with_the_projects_selector_are_left_to_people(synced: Synced, api: Api) -> None:
    synced.run("sync")
    tree = api.call("GET", f"{BASE}/policies")[1]
    tree.pop("provenance", None)
    tree["routes"].append({"receiver": "phoenix-slack", "object_matchers": [OURS]})
    api.call("PUT", f"{BASE}/policies", tree, headers=EDITABLE)
    for args in (("sync",), ("sync", "--force")):
        result = synced.run(*args)
        assert result.exit_code == 1
        assert '2 top-level routes select team="platform"; phoenix-dash owns one' in result.output


@ONE_API
def test_a_tree_edit_between_plan_and_write_is_a_conflict(
    synced: Synced, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.sync.applier import apply_plan
    from tests.support.synced import plan_now

    for name, value in synced.environment().items():
        monkeypatch.setenv(name, value)
    synced.run("sync")
    edit_project(synced, "repeat_interval: 12h", "repeat_interval: 6h")
    connection, plan, target = plan_now(synced)
    assert [c.resource.kind for c in plan.changes if c.writes] == ["policy"]
    add_other_team(api)  # between the plan and its write
    outcomes = apply_plan(connection, plan, target)
    [failed] = [o for o in outcomes if not o.ok]
    assert "the notification policy tree changed since the plan" in failed.detail
    tree = api.call("GET", f"{BASE}/policies")[1]
    assert tree["routes"][0]["receiver"] == "db-pager"
    assert "repeat_interval: 6h" not in str(our_route(api))
    result = synced.run("sync")  # planned again: the other team's route is kept
    assert result.exit_code == 0, result.output
    assert api.call("GET", f"{BASE}/policies")[1]["routes"][0]["receiver"] == "db-pager"
    assert our_route(api)["routes"][2]["repeat_interval"] == "6h"


@ONE_API
def test_the_pull_request_comment_shows_the_route_as_a_tree(synced: Synced) -> None:
    synced.run("sync")
    edit_project(synced, "repeat_interval: 12h", "repeat_interval: 6h")
    result = synced.run("diff", "--format", "markdown")
    assert result.exit_code == 1
    assert (
        "```diff\n--- Grafana\n+++ code\n@@ -1,4 +1,4 @@\n"
        ' team="platform" -> phoenix-slack (group_by alertname, component)\n'
        '   severity="critical" -> phoenix-oncall (group_wait 10s; repeat_interval 1h)\n'
        '   severity="warning" -> phoenix-slack (mute_time_intervals phoenix-maintenance)\n'
        '-  severity="info" -> phoenix-slack (repeat_interval 12h; mute_time_intervals '
        "phoenix-maintenance)\n"
        '+  severity="info" -> phoenix-slack (repeat_interval 6h; mute_time_intervals '
        "phoenix-maintenance)\n```"
    ) in result.output


@ONE_API
def test_renaming_a_contact_point_in_code_renames_it_in_the_routes_once(
    synced: Synced, api: Api
) -> None:
    edit_project(
        synced, "  - name: phoenix-slack\n", "  - name: phoenix-slack\n    uid: phoenix-slack\n"
    )
    synced.run("sync")
    add_other_team(api)
    tree = api.call("GET", f"{BASE}/policies")[1]
    tree.pop("provenance", None)
    tree["routes"][0]["routes"] = [
        {"receiver": "phoenix-slack", "object_matchers": [["x", "=", "y"]]}
    ]
    api.call("PUT", f"{BASE}/policies", tree, headers=EDITABLE)  # another team uses it too
    path = synced.config.parent / "notifications.yaml"
    path.write_text(
        path.read_text()
        .replace("phoenix-slack", "phoenix-chat")
        .replace("uid: phoenix-chat", "uid: phoenix-slack")
    )
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    assert our_route(api)["receiver"] == "phoenix-chat"
    other = api.call("GET", f"{BASE}/policies")[1]["routes"][0]
    assert other["routes"][0]["receiver"] == "phoenix-chat"  # Grafana renamed it (P8)
    assert f"{RESOURCES} unchanged" in synced.run("sync").output
    edit_project(synced, "repeat_interval: 12h", "repeat_interval: 6h")
    later = synced.run("sync")  # the ledger knows the renamed route as phoenix-dash's
    assert later.exit_code == 0 and "changed in code" in later.output, later.output


@ONE_API
def test_a_tree_edit_between_plan_and_first_write_is_a_conflict_too(
    synced: Synced, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.sync.applier import apply_plan
    from tests.support.synced import plan_now

    for name, value in synced.environment().items():
        monkeypatch.setenv(name, value)
    connection, plan, target = plan_now(synced)
    add_other_team(api)
    outcomes = apply_plan(connection, plan, target)
    assert [o.change.resource.kind for o in outcomes if not o.ok] == ["policy"]
    assert synced.run("sync").exit_code == 0
    routes = api.call("GET", f"{BASE}/policies")[1]["routes"]
    assert [r["receiver"] for r in routes] == ["phoenix-slack", "db-pager"]
