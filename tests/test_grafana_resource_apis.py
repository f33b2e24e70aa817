"""How Grafana's resource APIs (/apis/dashboard.grafana.app, /apis/folder.grafana.app) answer:
BEHAVIOR.md "Grafana 13: the legacy API is deprecated", and Grafana's source for what it
leaves out. Raw HTTP only, so these run against a real Grafana 13 too
(PHOENIX_DASH_TEST_GRAFANA_URL); emulator-only set-ups skip there."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.api import under_root as root
from tests.support.grafana import GrafanaTarget

DASHBOARDS = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"
FOLDERS = "/apis/folder.grafana.app/v1/namespaces/default/folders"


def dashboard(name: str, title: str = "Board", **annotations: str) -> dict[str, Any]:
    return {
        "apiVersion": "dashboard.grafana.app/v1",
        "kind": "Dashboard",
        "metadata": {"name": name, "annotations": annotations},
        "spec": {"title": title, "schemaVersion": 42, "panels": []},
    }


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_discovery_lists_the_dashboard_and_folder_groups(api: Api) -> None:
    status, body = root(api, "GET", "/apis")
    assert status == 200 and body["kind"] == "APIGroupList"
    versions = {g["name"]: [v["version"] for v in g["versions"]] for g in body["groups"]}
    assert "v1" in versions["dashboard.grafana.app"]
    assert "v1" in versions["folder.grafana.app"]


def test_create_is_201_then_409_and_sets_generation_and_creator(api: Api) -> None:
    name = unique("create")
    status, created = root(api, "POST", DASHBOARDS, dashboard(name))
    assert status == 201, created
    metadata = created["metadata"]
    assert metadata["generation"] == 1 and metadata["resourceVersion"]
    assert metadata["annotations"]["grafana.app/createdBy"]
    again, conflict = root(api, "POST", DASHBOARDS, dashboard(name))
    assert again == 409 and conflict["reason"] == "AlreadyExists"


def test_a_stale_resource_version_is_409_and_generation_counts_spec_changes(api: Api) -> None:
    name = unique("lock")
    _, created = root(api, "POST", DASHBOARDS, dashboard(name))
    first = created["metadata"]["resourceVersion"]
    changed = dashboard(name, "Renamed")
    changed["metadata"]["resourceVersion"] = first
    status, updated = root(api, "PUT", f"{DASHBOARDS}/{name}", changed)
    assert status == 200 and updated["metadata"]["generation"] == 2
    stale = dashboard(name, "Again")
    stale["metadata"]["resourceVersion"] = first
    status, body = root(api, "PUT", f"{DASHBOARDS}/{name}", stale)
    assert status == 409 and body["reason"] == "Conflict"
    # Annotations alone: a new resourceVersion, the same generation, the same updatedBy.
    notes_only = {**updated, "metadata": {**updated["metadata"]}}
    notes_only["metadata"]["annotations"] = {
        **updated["metadata"]["annotations"],
        "example.com/note": "x",
    }
    status, annotated = root(api, "PUT", f"{DASHBOARDS}/{name}", notes_only)
    assert status == 200
    assert annotated["metadata"]["generation"] == 2
    assert annotated["metadata"]["resourceVersion"] != updated["metadata"]["resourceVersion"]
    assert (
        annotated["metadata"]["annotations"]["grafana.app/updatedBy"]
        == updated["metadata"]["annotations"]["grafana.app/updatedBy"]
    )


def test_dry_run_answers_as_a_write_would_and_stores_nothing(api: Api) -> None:
    name = unique("dry")
    status, answer = root(api, "POST", DASHBOARDS, dashboard(name), dryRun="All")
    assert status == 201 and answer["metadata"]["name"] == name
    assert root(api, "GET", f"{DASHBOARDS}/{name}")[0] == 404
    status, refused = root(
        api, "POST", DASHBOARDS, dashboard(name, **{"grafana.app/folder": "nowhere"}), dryRun="All"
    )
    assert status >= 400 and refused["kind"] == "Status"


def test_lists_come_in_pages_until_no_continue(api: Api) -> None:
    made = {unique("page") for _ in range(5)}
    for name in made:
        assert root(api, "POST", DASHBOARDS, dashboard(name))[0] == 201
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        params = {"limit": "2", **({"continue": token} if token else {})}
        status, page = root(api, "GET", DASHBOARDS, **params)
        assert status == 200 and len(page["items"]) <= 2
        seen += [item["metadata"]["name"] for item in page["items"]]
        pages += 1
        token = page["metadata"].get("continue", "")
        if not token:
            break
    assert made <= set(seen) and len(seen) == len(set(seen)) and pages >= 3


def test_a_list_asked_for_metadata_only_leaves_the_specs_out(api: Api) -> None:
    """Kubernetes' content negotiation, which Grafana's API server inherits: sync lists
    with it (a tenth of the bytes of a dashboard list) and reads whole only what changed."""
    from phoenix_dash.grafana.resources import METADATA_ONLY

    name = unique("meta")
    notes = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "phoenix-dash"}
    assert root(api, "POST", DASHBOARDS, dashboard(name, **notes))[0] == 201
    status, page = api.call(
        "GET", DASHBOARDS, headers={"Accept": METADATA_ONLY}, root=True, limit="500"
    )
    assert status == 200 and page["kind"] == "PartialObjectMetadataList", page.get("kind")
    (item,) = [i for i in page["items"] if i["metadata"]["name"] == name]
    assert "spec" not in item and item["kind"] == "PartialObjectMetadata"
    assert item["metadata"]["annotations"]["grafana.app/managerId"] == "phoenix-dash"
    assert item["metadata"]["generation"] == 1 and item["metadata"]["resourceVersion"]
    whole = root(api, "GET", DASHBOARDS, limit="500")[1]
    assert whole["kind"] == "DashboardList" and all("spec" in i for i in whole["items"])


def test_a_manager_is_released_before_another_claims_it(api: Api) -> None:
    """managed.go: changing the manager's kind in one write is 403; removing the manager,
    then adding the new one, is how Grafana allows it."""
    name = unique("managed")
    terraform = {"grafana.app/managedBy": "terraform", "grafana.app/managerId": "tf-prod"}
    assert root(api, "POST", DASHBOARDS, dashboard(name, **terraform))[0] == 201
    ours = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "phoenix-dash"}
    claim = dashboard(name, **ours)
    status, refused = root(api, "PUT", f"{DASHBOARDS}/{name}", claim)
    assert status == 403 and "Cannot change resource manager kind" in refused["message"]
    other_kubectl = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "grafanactl"}
    _, theirs = root(api, "POST", DASHBOARDS, dashboard(unique("kubectl"), **other_kubectl))
    status, refused = root(
        api,
        "PUT",
        f"{DASHBOARDS}/{theirs['metadata']['name']}",
        dashboard(theirs["metadata"]["name"], **ours),
    )
    assert status == 403 and "Cannot change resource manager identity" in refused["message"]
    assert root(api, "PUT", f"{DASHBOARDS}/{name}", dashboard(name))[0] == 200  # released
    status, claimed = root(api, "PUT", f"{DASHBOARDS}/{name}", claim)
    assert status == 200
    assert claimed["metadata"]["annotations"]["grafana.app/managerId"] == "phoenix-dash"


def test_a_legacy_save_drops_the_manager(api: Api) -> None:
    """Grafana 12+ writes a legacy save as a new object with only the folder and message
    annotations (LegacySaveCommandToUnstructured)."""
    name = unique("legacy")
    ours = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "phoenix-dash"}
    assert root(api, "POST", DASHBOARDS, dashboard(name, **ours))[0] == 201
    saved = {"dashboard": {"uid": name, "title": "Saved the old way"}, "overwrite": True}
    assert api.call("POST", "/dashboards/db", saved)[0] == 200
    _, found = root(api, "GET", f"{DASHBOARDS}/{name}")
    assert "grafana.app/managerId" not in found["metadata"]["annotations"]
    assert found["metadata"]["generation"] == 2


def test_a_folder_write_with_another_parent_moves_it(api: Api) -> None:
    parent, child = unique("parent"), unique("child")

    def folder(name: str, **annotations: str) -> dict[str, Any]:
        return {
            "apiVersion": "folder.grafana.app/v1",
            "kind": "Folder",
            "metadata": {"name": name, "annotations": annotations},
            "spec": {"title": name},
        }

    assert root(api, "POST", FOLDERS, folder(parent))[0] == 201
    assert root(api, "POST", FOLDERS, folder(child))[0] == 201
    status, moved = root(
        api, "PUT", f"{FOLDERS}/{child}", folder(child, **{"grafana.app/folder": parent})
    )
    assert status == 200 and moved["metadata"]["annotations"]["grafana.app/folder"] == parent
    assert moved["metadata"]["generation"] == 2
    assert api.call("GET", f"/folders/{child}")[1].get("parentUid") == parent


def test_a_delete_with_a_stale_precondition_is_409(api: Api) -> None:
    name = unique("delete")
    _, created = root(api, "POST", DASHBOARDS, dashboard(name))
    version = created["metadata"]["resourceVersion"]
    root(api, "PUT", f"{DASHBOARDS}/{name}", dashboard(name, "Changed"))
    stale = {"preconditions": {"resourceVersion": version}}
    assert root(api, "DELETE", f"{DASHBOARDS}/{name}", stale)[0] == 409
    assert root(api, "DELETE", f"{DASHBOARDS}/{name}")[0] == 200
    assert root(api, "GET", f"{DASHBOARDS}/{name}")[0] == 404


@pytest.mark.parametrize("grafana", ["12.3.3"], indirect=True)
def test_grafana_12_serves_v1beta1(grafana: GrafanaTarget, api: Api) -> None:
    grafana.require_emulator()
    _, body = root(api, "GET", "/apis")
    versions = {g["name"]: [v["version"] for v in g["versions"]] for g in body["groups"]}
    assert "v1beta1" in versions["dashboard.grafana.app"]
    assert "v1" not in versions["folder.grafana.app"]
