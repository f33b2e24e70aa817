"""Each row of ../shared/grafana/BEHAVIOR.md, checked by raw HTTP. Against the emulator by
default; against a real Grafana when PHOENIX_DASH_TEST_GRAFANA_URL is set (rows that need the
emulator's controls are skipped there)."""

from __future__ import annotations

import base64
from typing import Any

import niquests
import pytest

from tests.support.api import Api, folder, rule, save, uid, wait_for_search
from tests.support.grafana import GrafanaTarget

# --- dashboards: POST /api/dashboards/db --------------------------------------------------


def test_save_creates_and_every_save_increments_version_with_a_message(api: Api) -> None:
    d = uid()
    status, body = save(api, {"uid": d, "title": d}, message="first")
    assert status == 200
    assert body["status"] == "success" and body["uid"] == d and body["version"] == 1
    assert {"id", "url", "slug", "folderUid"} <= set(body)
    status, body = save(api, {"uid": d, "title": d, "version": 1}, message="second")
    assert (status, body["version"]) == (200, 2)
    _, history = api.call("GET", f"/dashboards/uid/{d}/versions")
    assert [v["message"] for v in history["versions"]][:2] == ["second", "Initial save"]  # D1
    assert api.call("GET", f"/dashboards/uid/{d}/versions/1")[1]["message"] == "first"


def test_stale_version_without_overwrite_is_412(api: Api) -> None:
    d = uid()
    save(api, {"uid": d, "title": d})
    save(api, {"uid": d, "title": d, "version": 1})
    for version in (1, None):
        dashboard = {"uid": d, "title": d, **({"version": version} if version else {})}
        assert save(api, dashboard) == (
            412,
            {
                "status": "version-mismatch",
                "message": "The dashboard has been changed by someone else",
            },
        )


def test_overwrite_saves_over_a_stale_version(api: Api) -> None:
    d = uid()
    save(api, {"uid": d, "title": d})
    save(api, {"uid": d, "title": d, "version": 1})
    status, body = save(api, {"uid": d, "title": d, "version": 1}, overwrite=True)
    assert (status, body["version"]) == (200, 3)


def test_id_of_one_dashboard_with_the_uid_of_another_is_400(api: Api) -> None:
    first, second = uid(), uid()
    _, created = save(api, {"uid": first, "title": first})
    save(api, {"uid": second, "title": second})
    status, body = save(api, {"id": created["id"], "uid": second, "title": first}, overwrite=True)
    assert (status, body["message"]) == (400, "A dashboard with the same uid already exists")


def test_unknown_dashboard_id_is_404(api: Api) -> None:
    status, body = save(api, {"id": 987654321, "uid": uid(), "title": "x"})
    assert (status, body) == (404, {"status": "not-found", "message": "Dashboard not found"})


@pytest.mark.parametrize(
    ("dashboard", "extra", "expected"),
    [
        ({"title": "x"}, {"folderUid": "no-such-folder-xyz"}, {"message": "folder not found"}),
        ({"title": ""}, {}, {"status": "empty-name", "message": "Dashboard title cannot be empty"}),
        ({"title": "x", "uid": "bad uid!"}, {}, {"message": "uid contains illegal characters"}),
        ({"title": "x", "uid": "u" * 41}, {}, {"message": "uid too long, max 40 characters"}),
        (
            {"title": "x", "isFolder": True},
            {},
            {"message": "Use folders endpoint for saving folders."},
        ),
    ],
)
def test_invalid_saves_are_400(
    api: Api, dashboard: dict[str, Any], extra: dict[str, Any], expected: dict[str, str]
) -> None:
    status, body = save(api, {"uid": uid(), **dashboard}, **extra)
    assert status == 400
    assert {k: body[k] for k in expected} == expected


def test_body_that_is_not_json_is_400(api: Api) -> None:
    status, body = api.call(
        "POST", "/dashboards/db", raw=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (status, body["message"]) == (400, "bad request data")


def test_viewer_may_not_save(grafana: GrafanaTarget) -> None:
    if not grafana.viewer_token:
        pytest.skip("set PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN for the real-Grafana run")
    status, body = save(Api(grafana, grafana.viewer_token), {"uid": uid(), "title": "x"})
    assert (status, body["message"]) == (403, "Access denied to save dashboard")


def test_save_without_uid_invents_one_and_a_second_save_duplicates(api: Api) -> None:
    title = uid("no-uid")
    first = save(api, {"title": title})[1]
    second = save(api, {"title": title + "-2"})[1]
    assert first["uid"] and second["uid"] and first["uid"] != second["uid"]


# --- dashboards: read, delete, search, versions -------------------------------------------


def test_get_by_uid_has_dashboard_and_meta(api: Api) -> None:
    f = folder(api)
    d = uid()
    save(api, {"uid": d, "title": d, "tags": ["a"]}, folderUid=f)
    status, body = api.call("GET", f"/dashboards/uid/{d}")
    assert status == 200
    assert {"id", "uid", "version"} <= set(body["dashboard"])
    assert body["meta"]["folderUid"] == f and body["meta"]["folderTitle"] == f
    assert {"version", "created", "updated", "updatedBy", "provisioned", "url"} <= set(body["meta"])
    assert api.call("GET", f"/dashboards/uid/{uid()}") == (404, {"message": "Dashboard not found"})


def test_delete_by_uid(api: Api) -> None:
    d = uid()
    save(api, {"uid": d, "title": d})
    status, body = api.call("DELETE", f"/dashboards/uid/{d}")
    assert status == 200 and body["uid"] == d and body["message"] == f"Dashboard {d} deleted"
    assert api.call("DELETE", f"/dashboards/uid/{d}")[0] == 404


def test_search_filters(api: Api) -> None:
    f = folder(api)
    tag = uid("tag")
    a, b, c = uid("a"), uid("b"), uid("c")
    save(api, {"uid": a, "title": a, "tags": [tag, "x"]}, folderUid=f)
    save(api, {"uid": b, "title": b, "tags": [tag]}, folderUid=f)
    save(api, {"uid": c, "title": c, "tags": [tag, "x"]})

    def uids(**params: Any) -> list[str]:
        status, hits = api.call("GET", "/search", **params)
        assert status == 200
        assert all("version" not in hit and "dashboard" not in hit for hit in hits)
        return sorted(hit["uid"] for hit in hits)

    wait_for_search(api, [a, b, c])  # D7: the index may lag a write
    # Several tags: all of them before unified storage, any of them with it (D7).
    assert uids(type="dash-db", tag=[tag, "x"]) in (sorted([a, c]), sorted([a, b, c]))
    assert uids(type="dash-db", tag=tag, folderUIDs=f) == sorted([a, b])
    assert uids(type="dash-db", dashboardUIDs=b) == [b]
    assert uids(type="dash-db", query=a) == [a]
    assert len(uids(type="dash-db", tag=tag, limit=2, page=1)) == 2
    assert len(uids(type="dash-db", tag=tag, limit=2, page=2)) == 1
    _, hits = api.call("GET", "/search", type="dash-db", dashboardUIDs=a)
    assert {
        "uid",
        "title",
        "uri",
        "url",
        "type",
        "tags",
        "folderUid",
        "folderTitle",
        "isStarred",
    } <= set(hits[0]) and hits[0]["type"] == "dash-db"


def test_versions_have_the_grafana_12_shape(api: Api) -> None:
    d = uid()
    save(api, {"uid": d, "title": d}, message="m1")
    status, body = api.call("GET", f"/dashboards/uid/{d}/versions")
    assert status == 200 and set(body) >= {"versions", "continueToken"}
    assert {"version", "created", "createdBy", "message"} <= set(body["versions"][0])


# --- folders ------------------------------------------------------------------------------


def test_folders_nested_listing_and_conflicts(api: Api) -> None:
    parent = folder(api)
    child = uid("child")
    status, body = api.call("POST", "/folders", {"uid": child, "title": child, "parentUid": parent})
    assert status == 200 and body["parentUid"] == parent
    status, children = api.call("GET", "/folders", parentUid=parent)
    assert [c["uid"] for c in children] == [child]
    status, body = api.call("POST", "/folders", {"uid": child, "title": "again"})
    assert status == 409
    assert (
        api.call("POST", "/folders", {"uid": uid(), "title": "x", "parentUid": uid("missing")})[0]
        == 400
    )


def test_folder_get_update_and_stale_version(api: Api) -> None:
    f = folder(api)
    status, body = api.call("GET", f"/folders/{f}")
    assert status == 200 and body["version"] >= 1
    version = body["version"]
    assert api.call("PUT", f"/folders/{f}", {"title": "renamed", "version": version})[0] == 200
    status, body = api.call("PUT", f"/folders/{f}", {"title": "again", "version": version})
    assert (status, body) == (
        412,
        {"status": "version-mismatch", "message": "the folder has been changed by someone else"},
    )
    assert api.call("GET", f"/folders/{uid()}") == (
        404,
        {"status": "not-found", "message": "folder not found"},
    )


def test_folder_delete_removes_dashboards_and_rules_only_with_force(api: Api) -> None:
    f = folder(api)
    d = uid()
    save(api, {"uid": d, "title": d}, folderUid=f)
    created = rule(f)
    assert api.call("POST", "/v1/provisioning/alert-rules", created)[0] == 201
    assert api.call("DELETE", f"/folders/{f}")[0] != 200
    assert api.call("DELETE", f"/folders/{f}", forceDeleteRules="true")[0] == 200
    assert api.call("GET", f"/dashboards/uid/{d}")[0] == 404
    assert api.call("GET", f"/v1/provisioning/alert-rules/{created['uid']}")[0] == 404


# --- alert rules: provisioning API --------------------------------------------------------


def test_rule_create_read_update_delete(api: Api) -> None:
    f = folder(api)
    created = rule(f)
    status, body = api.call("POST", "/v1/provisioning/alert-rules", created)
    assert status == 201 and body["uid"] == created["uid"] and body["provenance"] == "api"
    status, body = api.call("GET", f"/v1/provisioning/alert-rules/{created['uid']}")
    assert status == 200 and body["title"] == created["title"]
    status, body = api.call(
        "PUT", f"/v1/provisioning/alert-rules/{created['uid']}", {**created, "title": "renamed"}
    )
    assert status == 200 and body["title"] == "renamed"
    assert api.call("DELETE", f"/v1/provisioning/alert-rules/{created['uid']}") == (204, None)


@pytest.mark.parametrize("path_method", ["GET", "PUT", "DELETE"])
def test_unknown_rule_is_404_with_an_empty_body(api: Api, path_method: str) -> None:
    f = folder(api)
    body = rule(f) if path_method == "PUT" else None
    status, answer = api.call(path_method, f"/v1/provisioning/alert-rules/{uid('none')}", body)
    assert (status, answer) == (404, None)


@pytest.mark.parametrize(
    "change",
    [
        "no title",
        "no condition",
        "no data",
        "bad for",
        "unknown folder",
        "condition not in data",
        "duplicate uid",
    ],
)
def test_invalid_rules_are_400_with_a_message(api: Api, change: str) -> None:
    f = folder(api)
    body = rule(f)
    if change == "no title":
        body["title"] = ""
    elif change == "no condition":
        body["condition"] = ""
    elif change == "no data":
        body["data"] = []
    elif change == "bad for":
        body["for"] = "5 minutes"
    elif change == "unknown folder":
        body["folderUID"] = uid("missing")
    elif change == "condition not in data":
        body["condition"] = "Z"
    else:
        assert api.call("POST", "/v1/provisioning/alert-rules", body)[0] == 201
    status, answer = api.call("POST", "/v1/provisioning/alert-rules", body)
    assert status == 400 and answer["message"]


def test_rule_groups_are_replaced_whole(api: Api) -> None:
    f = folder(api)
    group = uid("group")
    one, two = rule(f, ruleGroup=group), rule(f, ruleGroup=group)
    status, body = api.call(
        "PUT",
        f"/v1/provisioning/folder/{f}/rule-groups/{group}",
        {"title": group, "interval": 60, "rules": [one, two]},
    )
    assert status == 200
    status, body = api.call("GET", f"/v1/provisioning/folder/{f}/rule-groups/{group}")
    assert status == 200 and body["interval"] == 60 and body["folderUid"] == f
    assert sorted(r["uid"] for r in body["rules"]) == sorted([one["uid"], two["uid"]])
    api.call(
        "PUT",
        f"/v1/provisioning/folder/{f}/rule-groups/{group}",
        {"title": group, "interval": 60, "rules": [one]},
    )
    _, body = api.call("GET", f"/v1/provisioning/folder/{f}/rule-groups/{group}")
    assert [r["uid"] for r in body["rules"]] == [one["uid"]]  # left out: deleted
    assert api.call("GET", f"/v1/provisioning/alert-rules/{two['uid']}")[0] == 404
    assert api.call("DELETE", f"/v1/provisioning/folder/{f}/rule-groups/{group}")[0] == 204
    assert api.call("GET", f"/v1/provisioning/folder/{f}/rule-groups/{group}")[0] == 404


def test_disable_provenance_keeps_rules_editable(api: Api) -> None:
    f = folder(api)
    status, body = api.call(
        "POST", "/v1/provisioning/alert-rules", rule(f), headers={"X-Disable-Provenance": "true"}
    )
    assert status == 201 and body.get("provenance", "") == ""


# --- auth, organisations, health ------------------------------------------------------------


def test_no_credentials_is_401(grafana: GrafanaTarget) -> None:
    response = niquests.get(grafana.url + "/api/search", timeout=10)
    assert response.status_code == 401 and response.json()["message"] == "Unauthorized"


def test_bad_token_is_401_invalid_api_key(grafana: GrafanaTarget) -> None:
    status, body = Api(grafana, "glsa_not_a_real_token_0000").call("GET", "/search")
    assert status == 401 and body["message"] == "Invalid API key"
    assert body.get("messageId") == "api-key.invalid"


def test_bad_password_is_401(grafana: GrafanaTarget) -> None:
    basic = base64.b64encode(b"admin:wrong-password").decode()
    response = niquests.get(
        grafana.url + "/api/search", timeout=10, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid username or password"


def test_viewer_lacks_rbac_permissions(grafana: GrafanaTarget) -> None:
    if not grafana.viewer_token:
        pytest.skip("set PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN for the real-Grafana run")
    status, body = Api(grafana, grafana.viewer_token).call(
        "POST", "/folders", {"uid": uid(), "title": "x"}
    )
    assert status == 403 and body["message"].startswith(
        "You'll need additional permissions to perform this action. Permissions needed: "
    )


def test_org_header_separates_organisations(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.add_token("glsa_org2_token", "Admin", org_id=2)
    org1, org2 = Api(grafana), Api(grafana, "glsa_org2_token", {"X-Grafana-Org-Id": "2"})
    d = uid()
    save(org1, {"uid": d, "title": d})
    assert org2.call("GET", f"/dashboards/uid/{d}")[0] == 404
    assert (
        Api(grafana, "glsa_org2_token", {"X-Grafana-Org-Id": "1"}).call("GET", "/search")[0] == 401
    )


def test_health_needs_no_auth(grafana: GrafanaTarget) -> None:
    response = niquests.get(grafana.url + "/api/health", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["version"]


def test_health_reports_a_failing_database(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.healthy = False
    response = niquests.get(grafana.url + "/api/health", timeout=10)
    assert response.status_code == 503 and response.json()["database"] == "failing"
