"""BEHAVIOR.md, "What Grafana does to what you send": one test per row (R1-R8, D1-D7, S1-S2,
F1), by raw HTTP. Against the emulator by default, against a real Grafana when
PHOENIX_DASH_TEST_GRAFANA_URL is set; rows that need a fixture only the emulator can make (a
file-provisioned resource, a dashboard stored as v2) skip there, and rows marked 13 in
BEHAVIOR.md are checked for the version the server reports."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api, folder, rule, save, uid, wait_for_search
from tests.support.grafana import GrafanaTarget


def major(api: Api) -> int:
    _, health = api.call("GET", "/health")
    return int(str(health["version"]).split(".")[0])


def put_group(
    api: Api,
    folder_uid: str,
    group: str,
    rules: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> int:
    body = {"title": group, "interval": 60, "rules": [{**r, "ruleGroup": group} for r in rules]}
    return api.call(
        "PUT", f"/v1/provisioning/folder/{folder_uid}/rule-groups/{group}", body, headers=headers
    )[0]


def provenance(api: Api, rule_uid: str) -> str:
    return str(
        api.call("GET", f"/v1/provisioning/alert-rules/{rule_uid}")[1].get("provenance") or ""
    )


# --- alert rules ----------------------------------------------------------------------------


def test_r1_every_rule_answer_carries_grafanas_newer_fields(api: Api) -> None:
    created = rule(folder(api))
    assert api.call("POST", "/v1/provisioning/alert-rules", created)[0] == 201
    _, body = api.call("GET", f"/v1/provisioning/alert-rules/{created['uid']}")
    assert body["keep_firing_for"] == "0s"
    assert body["notification_settings"] is None and body["record"] is None
    assert "missingSeriesEvalsToResolve" not in body


def test_r2_stored_query_models_get_max_data_points_and_interval(api: Api) -> None:
    created = rule(folder(api))
    api.call("POST", "/v1/provisioning/alert-rules", created)
    _, body = api.call("GET", f"/v1/provisioning/alert-rules/{created['uid']}")
    for query in body["data"]:  # expressions included
        assert (query["model"]["maxDataPoints"], query["model"]["intervalMs"]) == (43200, 1000)


@pytest.mark.parametrize(
    ("sent", "stored"), [("60m", "1h"), ("90s", "1m30s"), ("7d", "1w"), ("8d", "8d"), ("0s", "0s")]
)
def test_r3_for_is_written_back_in_prometheus_form(api: Api, sent: str, stored: str) -> None:
    created = rule(folder(api), **{"for": sent})
    assert api.call("POST", "/v1/provisioning/alert-rules", created)[0] == 201
    _, body = api.call("GET", f"/v1/provisioning/alert-rules/{created['uid']}")
    assert body["for"] == stored


def test_r4_the_rule_group_answer_carries_no_provenance(api: Api) -> None:
    f, one = folder(api), None
    one = rule(f)
    assert put_group(api, f, "g4", [one]) == 200
    _, group = api.call("GET", f"/v1/provisioning/folder/{f}/rule-groups/g4")
    assert "provenance" not in group["rules"][0]
    assert provenance(api, one["uid"]) == "api"
    _, listed = api.call("GET", "/v1/provisioning/alert-rules")
    assert next(r for r in listed if r["uid"] == one["uid"])["provenance"] == "api"


def test_r5_an_unchanged_group_put_does_not_reapply_provenance(api: Api) -> None:
    f = folder(api)
    one, two = rule(f), rule(f)
    editable = {"X-Disable-Provenance": "true"}
    assert put_group(api, f, "g5", [one, two], editable) == 200
    assert provenance(api, one["uid"]) == ""
    assert put_group(api, f, "g5", [one, two]) == 200  # nothing changed: returns early
    assert (provenance(api, one["uid"]), provenance(api, two["uid"])) == ("", "")
    assert put_group(api, f, "g5", [{**one, "title": one["title"] + "!"}, two]) == 200
    assert (provenance(api, one["uid"]), provenance(api, two["uid"])) == ("api", "")


def test_r6_the_disable_provenance_header_counts_whatever_its_value(api: Api) -> None:
    created = rule(folder(api))
    status, _ = api.call(
        "POST", "/v1/provisioning/alert-rules", created, headers={"X-Disable-Provenance": "false"}
    )
    assert status == 201 and provenance(api, created["uid"]) == ""


@pytest.mark.parametrize("annotations", [{"__dashboardUid__": "d"}, {"__panelId__": "2"}])
def test_r7_a_dashboard_without_a_panel_is_refused(api: Api, annotations: dict[str, str]) -> None:
    status, body = api.call(
        "POST", "/v1/provisioning/alert-rules", rule(folder(api), annotations=annotations)
    )
    assert status == 400
    assert "both annotations __dashboardUid__ and __panelId__ must be specified" in body["message"]


def test_r8_rules_from_file_provisioning_refuse_api_writes(
    grafana: GrafanaTarget, api: Api
) -> None:
    emulator = grafana.require_emulator()
    f = folder(api)
    provisioned = rule(f, ruleGroup="g8")
    emulator.provision_rule_group(f, "g8", [provisioned], provenance="file")
    status, body = api.call(
        "PUT",
        f"/v1/provisioning/folder/{f}/rule-groups/g8",
        {"title": "g8", "interval": 60, "rules": [{**provisioned, "title": "changed"}]},
    )
    assert status == 409 and body["messageId"] == "alerting.provenanceMismatch"
    assert body["message"] == "cannot update with provided provenance 'api', needs 'file'"
    assert api.call("DELETE", f"/v1/provisioning/folder/{f}/rule-groups/g8")[0] == 409


# --- dashboards -----------------------------------------------------------------------------


def test_d1_the_versions_list_rewrites_first_and_restored_messages(api: Api) -> None:
    d = uid()
    save(api, {"uid": d, "title": d}, message="phoenix-dash first")
    save(api, {"uid": d, "title": d, "version": 1}, message="second")
    assert api.call("POST", f"/dashboards/uid/{d}/restore", {"version": 1})[0] == 200
    _, listed = api.call("GET", f"/dashboards/uid/{d}/versions")
    assert [v["message"] for v in listed["versions"]][:3] == [
        "Restored from version 1",
        "second",
        "Initial save",
    ]
    _, first = api.call("GET", f"/dashboards/uid/{d}/versions/1")
    assert first["message"] == "phoenix-dash first"  # as saved


def test_d2_a_grafana_13_save_migrates_the_dashboard(api: Api) -> None:
    d = uid()
    panels = [
        {
            "id": 1,
            "type": "text",
            "title": "b",
            "gridPos": {"x": 0, "y": 8, "w": 6, "h": 4},
            "transparent": False,
            "links": [],
        },
        {
            "id": 1,
            "type": "text",
            "title": "a",
            "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
            "options": {},
        },
    ]
    assert save(api, {"uid": d, "title": d, "panels": panels})[0] == 200
    stored = api.call("GET", f"/dashboards/uid/{d}")[1]["dashboard"]
    if major(api) < 13:  # the legacy save stores the JSON as sent
        assert [p["title"] for p in stored["panels"]] == ["b", "a"]
        return
    assert (stored["weekStart"], stored["fiscalYearStartMonth"]) == ("", 0)
    assert [p["title"] for p in stored["panels"]] == ["a", "b"]  # sorted by gridPos
    assert sorted(p["id"] for p in stored["panels"]) == [1, 2]  # duplicate renumbered
    assert all(k not in p for p in stored["panels"] for k in ("transparent", "links", "options"))


@pytest.mark.parametrize("grafana", ["12.3.3"], indirect=True)
def test_d2_a_grafana_12_emulator_stores_the_dashboard_as_sent(
    grafana: GrafanaTarget, api: Api
) -> None:
    grafana.require_emulator()  # a real Grafana is the version it is
    d = uid()
    save(api, {"uid": d, "title": d, "panels": [{"id": 1, "transparent": False}]})
    stored = api.call("GET", f"/dashboards/uid/{d}")[1]["dashboard"]
    assert "weekStart" not in stored and stored["panels"][0]["transparent"] is False


def test_d3_title_trimmed_and_refresh_raised_to_the_minimum(api: Api) -> None:
    d = uid()
    save(api, {"uid": d, "title": f"  {d}  ", "refresh": "1s"})
    stored = api.call("GET", f"/dashboards/uid/{d}")[1]["dashboard"]
    assert stored["title"] == d and stored["refresh"] == "5s"  # min_refresh_interval default


def test_d4_a_version_message_over_500_characters_is_refused(api: Api) -> None:
    d = uid()
    assert save(api, {"uid": d, "title": d}, message="m" * 500)[0] == 200
    status, body = save(api, {"uid": d, "title": d, "version": 1}, message="m" * 501)
    assert (status, body["message"]) == (400, "message too long, max 500 characters")


def test_d5_a_dashboard_stored_as_v2_is_406_on_the_legacy_get(
    grafana: GrafanaTarget, api: Api
) -> None:
    emulator = grafana.require_emulator()
    d = uid()
    save(api, {"uid": d, "title": d})
    emulator.store_as_v2(d)
    status, body = api.call("GET", f"/dashboards/uid/{d}")
    assert status == 406
    assert body["message"] == (
        "dashboard api version not supported, use /apis/dashboard."
        f"grafana.app/v2/namespaces/default/dashboards/{d} instead"
    )


def test_d6_provisioned_and_plugin_dashboards_refuse_saves(
    grafana: GrafanaTarget, api: Api
) -> None:
    emulator = grafana.require_emulator()
    from_file, from_plugin = uid("file"), uid("plugin")
    emulator.provision_dashboard({"uid": from_file, "title": "f"}, path="team/f.json")
    emulator.provision_dashboard({"uid": from_plugin, "title": "p"}, plugin="grafana-k8s-app")
    meta = api.call("GET", f"/dashboards/uid/{from_file}")[1]["meta"]
    assert meta["provisioned"] is True and meta["provisionedExternalId"] == "team/f.json"
    status, body = save(api, {"uid": from_file, "title": "f", "version": 1}, overwrite=True)
    assert (status, body["message"]) == (400, "Cannot save provisioned dashboard")
    assert api.call("DELETE", f"/dashboards/uid/{from_file}") == (
        400,
        {"message": "provisioned dashboard cannot be deleted"},
    )
    status, body = save(api, {"uid": from_plugin, "title": "p", "version": 1}, overwrite=True)
    assert (status, body) == (
        412,
        {
            "status": "plugin-dashboard",
            "message": "The dashboard belongs to plugin grafana-k8s-app.",
        },
    )


def test_d7_search_takes_repeated_parameters_and_caps_the_limit(api: Api) -> None:
    f1, f2 = folder(api), folder(api)
    a, b = uid("a"), uid("b")
    save(api, {"uid": a, "title": a, "tags": ["t1"]}, folderUid=f1)
    save(api, {"uid": b, "title": b, "tags": ["t2"]}, folderUid=f2)
    wait_for_search(api, [a, b])  # search may lag a write

    def hits(**params: Any) -> list[str]:
        status, found = api.call("GET", "/search", type="dash-db", **params)
        assert status == 200
        return sorted(hit["uid"] for hit in found)

    assert hits(folderUIDs=[f1, f2]) == sorted([a, b])
    assert hits(folderUIDs=f"{f1},{f2}") == []  # a comma-joined value matches nothing
    assert hits(dashboardUIDs=[a, b]) == sorted([a, b])
    assert hits(dashboardUIDs=f"{a},{b}") == []
    assert api.call("GET", "/search", limit=5001)[0] == 422
    tagged = hits(tag=["t1", "t2"], dashboardUIDs=[a, b])
    assert tagged == (sorted([a, b]) if major(api) >= 13 else [])  # any tag with unified storage


def test_d7_search_shows_a_write_only_after_a_moment(grafana: GrafanaTarget, api: Api) -> None:
    emulator = grafana.require_emulator()
    emulator.quirks.search_lag = 30.0  # long enough to look at
    d = uid()
    save(api, {"uid": d, "title": d})
    assert api.call("GET", "/search", dashboardUIDs=d)[1] == []
    assert api.call("GET", f"/dashboards/uid/{d}")[0] == 200  # reads by uid are immediate


# --- datasources ----------------------------------------------------------------------------


def datasource(api: Api, **extra: Any) -> dict[str, Any]:
    ds = uid("ds")
    body = {
        "uid": ds,
        "name": ds,
        "type": "prometheus",
        "access": "proxy",
        "url": "http://prometheus:9090",
        **extra,
    }
    assert api.call("POST", "/datasources", body)[0] == 200
    return body


def test_s1_a_datasource_put_replaces_the_whole_record(api: Api) -> None:
    body = datasource(api, jsonData={"timeInterval": "15s"}, basicAuth=True, basicAuthUser="reader")
    update = {k: v for k, v in body.items() if k not in ("jsonData", "basicAuthUser")}
    status, answer = api.call("PUT", f"/datasources/uid/{body['uid']}", {**update, "version": 1})
    assert status == 200 and answer["datasource"]["version"] == 2
    _, stored = api.call("GET", f"/datasources/uid/{body['uid']}")
    assert stored["jsonData"] == {} and stored["basicAuthUser"] == ""  # left out: reset
    status, _ = api.call("PUT", f"/datasources/uid/{body['uid']}", {**update, "version": 1})
    assert status == 409  # a version lower than the stored one


def test_s1_a_provisioned_datasource_is_read_only(grafana: GrafanaTarget, api: Api) -> None:
    emulator = grafana.require_emulator()
    ds = uid("ds")
    emulator.provision_datasource({"uid": ds, "name": ds, "type": "loki", "url": "http://l"})
    _, stored = api.call("GET", f"/datasources/uid/{ds}")
    assert stored["readOnly"] is True
    assert api.call("PUT", f"/datasources/uid/{ds}", {**stored, "url": "http://x"}) == (
        403,
        {"message": "Cannot update read-only data source"},
    )


def test_s2_secrets_are_write_only(api: Api) -> None:
    body = datasource(api, secureJsonData={"basicAuthPassword": "s3cret"})
    _, stored = api.call("GET", f"/datasources/uid/{body['uid']}")
    assert "secureJsonData" not in stored
    assert stored["secureJsonFields"] == {"basicAuthPassword": True}
    api.call("PUT", f"/datasources/uid/{body['uid']}", {**body, "url": "http://p2:9090"})
    _, stored = api.call("GET", f"/datasources/uid/{body['uid']}")
    assert stored["secureJsonFields"] == {"basicAuthPassword": True}  # kept when not sent


# --- folders --------------------------------------------------------------------------------


def test_f1_a_folder_put_never_moves_it_move_does(api: Api) -> None:
    parent, child = folder(api), folder(api)
    _, found = api.call("GET", f"/folders/{child}")
    status, _ = api.call(
        "PUT",
        f"/folders/{child}",
        {"title": "renamed", "parentUid": parent, "version": found["version"]},
    )
    assert status == 200
    _, found = api.call("GET", f"/folders/{child}")
    assert found["title"] == "renamed" and not found.get("parentUid")
    assert api.call("POST", f"/folders/{child}/move", {"parentUid": parent})[0] == 200
    assert api.call("GET", f"/folders/{child}")[1]["parentUid"] == parent
    stale = api.call("PUT", f"/folders/{child}", {"title": "x", "version": found["version"]})
    assert stale[0] == 412  # the version is checked unless overwrite
