"""policies.routing_tree: the project's policies as a routing tree of its own (Grafana 13.1+),
through the alerting resource API, and the rules labelled to reach it; and rows N1, N4 of
BEHAVIOR-ALERTING.md checked by raw HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api, uid, under_root
from tests.support.synced import ONE_API, RESOURCES, Synced

TREES = "/apis/notifications.alerting.grafana.app/v1beta1/namespaces/default/routingtrees"
LABEL = "__grafana_managed_route__"


def named(synced: Synced, name: str = "phoenix") -> None:
    path = synced.config.parent / "notifications.yaml"
    text = path.read_text()
    old = "policies:\n  matchers:"
    assert old in text
    path.write_text(text.replace(old, f"policies:\n  routing_tree: {name}\n  matchers:"))


def alerting_writes(synced: Synced) -> list[str]:
    emulator = synced.grafana.require_emulator()
    return [
        f"{w.method} {w.path}"
        for w in emulator.writes()
        if "alerting" in w.path or "provisioning" in w.path
    ]


@ONE_API
def test_a_routing_tree_of_its_own_is_created_then_left_alone(synced: Synced, api: Api) -> None:
    named(synced)
    default_before = api.call("GET", "/v1/provisioning/policies")[1]
    first = synced.run("sync")
    assert first.exit_code == 0, first.output
    assert "+ routing-tree phoenix" in first.output and "policy policies" not in first.output
    status, tree = under_root(api, "GET", f"{TREES}/phoenix")
    assert status == 200
    assert tree["spec"]["defaults"]["receiver"] == "phoenix-slack"
    [route] = tree["spec"]["routes"]
    assert route["matchers"] == [{"label": "team", "type": "=", "value": "platform"}]
    assert tree["metadata"]["annotations"]["grafana.app/managedBy"] == "kubectl"
    assert api.call("GET", "/v1/provisioning/policies")[1] == default_before  # not touched
    _, rules = api.call("GET", "/v1/provisioning/alert-rules")
    assert rules and all(r["labels"].get(LABEL) == "phoenix" for r in rules)
    emulator = synced.grafana.require_emulator()
    emulator.log.clear()
    second = synced.run("sync")
    assert f"{RESOURCES} unchanged, 0 conflicts" in second.output, second.output
    assert emulator.writes() == []
    assert not any("dryRun" in e.query for e in emulator.log)


def test_only_grafanas_forms_of_the_rules_carry_the_label(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from phoenix_dash.cli import main
    from tests.support.project import copy_repo_project

    config = copy_repo_project(tmp_path)
    path = tmp_path / "notifications.yaml"
    path.write_text(path.read_text().replace("policies:\n", "policies:\n  routing_tree: phoenix\n"))
    assert CliRunner().invoke(main, ["build", "--config", str(config)]).exit_code == 0
    grafana = (tmp_path / "build/alerts/grafana/phoenix/phoenix-service.json").read_text()
    assert f'"{LABEL}": "phoenix"' in grafana
    assert LABEL not in (tmp_path / "build/alerts/prometheus/alert-rules.yaml").read_text()
    assert (
        f"{LABEL}: phoenix" in (tmp_path / "build/alerts/provisioning/alert-rules.yaml").read_text()
    )


@ONE_API
def test_an_edit_of_the_tree_is_a_conflict_kept_or_forced(synced: Synced, api: Api) -> None:
    named(synced)
    synced.run("sync")
    _, tree = under_root(api, "GET", f"{TREES}/phoenix")
    tree["spec"]["routes"][0]["routes"][0]["receiver"] = "phoenix-slack"
    assert under_root(api, "PUT", f"{TREES}/phoenix", tree)[0] == 200
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "CONFLICT routing-tree phoenix: edited in Grafana" in result.output
    assert synced.run("sync", "--force").exit_code == 0
    _, now = under_root(api, "GET", f"{TREES}/phoenix")
    assert now["spec"]["routes"][0]["routes"][0]["receiver"] == "phoenix-oncall"


@ONE_API
@pytest.mark.parametrize("grafana", ["12.3.3"], indirect=True)
def test_before_grafana_13_1_the_setting_is_refused_before_any_write(synced: Synced) -> None:
    named(synced)
    result = synced.run("sync")
    assert result.exit_code == 2
    assert "policies.routing_tree 'phoenix' needs Grafana 13.1 or later" in result.output
    assert synced.grafana.require_emulator().writes() == []


@ONE_API
def test_moving_to_a_routing_tree_with_prune_takes_the_shared_route_out(
    synced: Synced, api: Api
) -> None:
    synced.run("sync")
    assert any(
        r.get("object_matchers") == [["team", "=", "platform"]]
        for r in api.call("GET", "/v1/provisioning/policies")[1].get("routes") or []
    )
    named(synced)
    refused = synced.run("sync", "--prune")  # its only route: said, not done silently
    assert refused.exit_code == 2 and "deletes every managed policy" in refused.output
    result = synced.run("sync", "--prune", "--allow-delete-all")
    assert result.exit_code == 0, result.output
    assert "- policy policies" in result.output and "+ routing-tree phoenix" in result.output
    assert not api.call("GET", "/v1/provisioning/policies")[1].get("routes")


# --- BEHAVIOR-ALERTING.md N1, N4 by raw HTTP ------------------------------------------------


def webhook_point(api: Api) -> str:
    name = uid("cp")
    body = {"name": name, "type": "webhook", "settings": {"url": "http://example.invalid"}}
    assert api.call("POST", "/v1/provisioning/contact-points", body)[0] == 202
    return name


def tree_body(name: str, receiver: str) -> dict[str, Any]:
    return {
        "apiVersion": "notifications.alerting.grafana.app/v1beta1",
        "kind": "RoutingTree",
        "metadata": {"name": name},
        "spec": {
            "defaults": {"receiver": receiver},
            "routes": [
                {"continue": False, "matchers": [{"label": "a", "type": "=", "value": "b"}]}
            ],
        },
    }


@pytest.mark.parametrize("grafana", ["13.2.0"], indirect=True)
def test_n1_dry_run_is_ignored_and_the_tree_written(api: Api) -> None:
    name = uid("t").lower()
    status, _ = under_root(api, "POST", TREES, tree_body(name, webhook_point(api)), dryRun="All")
    assert status == 201
    assert under_root(api, "GET", f"{TREES}/{name}")[0] == 200  # written all the same


@pytest.mark.parametrize("grafana", ["13.2.0"], indirect=True)
def test_n4_names_versions_and_folded_matchers(api: Api) -> None:
    receiver = webhook_point(api)
    for bad in ("Upper-Case", "x" * 41):
        assert under_root(api, "POST", TREES, tree_body(bad, receiver))[0] == 400
    name = uid("t").lower()
    _, created = under_root(api, "POST", TREES, tree_body(name, receiver))
    version = created["metadata"]["resourceVersion"]
    assert created["spec"]["routes"][0]["matchers"] == [{"label": "a", "type": "=", "value": "b"}]
    stale = tree_body(name, receiver)
    stale["metadata"]["resourceVersion"] = "0000000000000000"
    assert under_root(api, "PUT", f"{TREES}/{name}", stale)[0] == 409
    current = tree_body(name, receiver)
    current["metadata"]["resourceVersion"] = version
    assert under_root(api, "PUT", f"{TREES}/{name}", current)[0] == 200
    _, user_defined = under_root(api, "GET", f"{TREES}/user-defined")
    assert user_defined["spec"]["defaults"]["receiver"]  # the default tree, as the legacy API's
