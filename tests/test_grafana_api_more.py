"""Grafana API answers beyond BEHAVIOR.md (datasources by uid, read from Grafana's source;
request bodies), and the emulator's own contract (schema checks, UI edits, faults)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import niquests
import pytest

from tests.support.api import Api, save, uid
from tests.support.emulator import Fault, openapi
from tests.support.grafana import GrafanaTarget
from tests.support.oracles import missing
from tests.support.project import require

# --- datasources by uid (not in BEHAVIOR.md; Grafana's documented answers) ---------------------


def test_datasources_by_uid(api: Api) -> None:
    ds_uid = uid("ds")
    body = {
        "uid": ds_uid,
        "name": ds_uid,
        "type": "prometheus",
        "access": "proxy",
        "url": "http://prometheus:9090",
        "secureJsonData": {"httpHeaderValue1": "s3cret"},
    }
    status, created = api.call("POST", "/datasources", body)
    assert status == 200 and created["datasource"]["uid"] == ds_uid
    assert "secureJsonData" not in created["datasource"]  # secrets are write-only
    assert api.call("POST", "/datasources", {**body, "uid": uid("ds")})[0] == 409  # same name
    status, read = api.call("GET", f"/datasources/uid/{ds_uid}")
    assert status == 200 and read["url"] == "http://prometheus:9090"
    status, updated = api.call(
        "PUT", f"/datasources/uid/{ds_uid}", {**body, "url": "http://prometheus:9091"}
    )
    assert status == 200 and updated["datasource"]["url"] == "http://prometheus:9091"
    assert api.call("DELETE", f"/datasources/uid/{ds_uid}")[0] == 200
    assert api.call("GET", f"/datasources/uid/{ds_uid}")[0] == 404


def test_a_datasource_update_with_a_stale_version_is_a_conflict(api: Api) -> None:
    ds_uid = uid("ds")
    body = {
        "uid": ds_uid,
        "name": ds_uid,
        "type": "prometheus",
        "access": "proxy",
        "url": "http://prometheus:9090",
    }
    version = api.call("POST", "/datasources", body)[1]["datasource"]["version"]
    update = {**body, "url": "http://prometheus:9091", "version": version}
    assert api.call("PUT", f"/datasources/uid/{ds_uid}", update)[0] == 200
    status, answer = api.call("PUT", f"/datasources/uid/{ds_uid}", update)  # the same again
    assert status == 409 and answer["message"] == (
        "Datasource has already been updated by someone else. Please reload and try again"
    )
    assert api.call("PUT", f"/datasources/uid/{ds_uid}", {**update, "version": 0})[0] == 200
    other = uid("ds")
    api.call("POST", "/datasources", {**body, "uid": other, "name": other})
    status, answer = api.call("PUT", f"/datasources/uid/{ds_uid}", {**body, "name": other})
    assert status == 409 and "same name already exists" in answer["message"]
    for each in (ds_uid, other):
        assert api.call("DELETE", f"/datasources/uid/{each}")[0] == 200


# --- request bodies ---------------------------------------------------------------------


def test_a_write_without_a_body_is_bad_request_data(api: Api) -> None:
    status, body = api.call("POST", "/datasources", raw=b"")
    assert status == 400 and body == {"message": "bad request data"}


def test_a_body_cut_short_by_a_dying_client_changes_nothing(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    before = len(emulator.writes())
    parts = urlsplit(grafana.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(
            b"POST /api/datasources HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + grafana.token.encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{}"
        )
    time.sleep(0.2)  # the server notices the closed connection
    assert len(emulator.writes()) == before
    assert Api(grafana).call("GET", "/datasources")[1] == []


# --- the emulator's own contract ----------------------------------------------------------


def test_request_bodies_are_checked_against_the_openapi_spec(
    grafana: GrafanaTarget, api: Api
) -> None:
    emulator = grafana.require_emulator()
    require(
        openapi.SPEC.exists(), missing("Grafana's OpenAPI spec", "grafana/openapi/api-merged.json")
    )
    status, _ = save(api, {"uid": uid(), "title": "x"}, overwrite="yes")
    assert status == 400
    assert emulator.schema_violations == [
        "POST /api/dashboards/db: overwrite: 'yes' is not of type 'boolean'"
    ]


def test_ui_edit_makes_a_version_with_an_empty_message(grafana: GrafanaTarget, api: Api) -> None:
    emulator = grafana.require_emulator()
    d = uid()
    save(api, {"uid": d, "title": d}, message="phoenix-dash")
    version = emulator.ui_edit(d, lambda data: data.update(title="edited"), user="alice")
    _, body = api.call("GET", f"/dashboards/uid/{d}/versions")
    newest = body["versions"][0]
    assert (newest["version"], newest["message"], newest["createdBy"]) == (version, "", "alice")


def test_faults_are_injected_and_logged(grafana: GrafanaTarget, api: Api) -> None:
    emulator = grafana.require_emulator()
    emulator.inject(Fault("GET", "^/api/search$", "status", count=2, status=503))
    assert api.call("GET", "/search")[0] == 503
    assert api.call("GET", "/search")[0] == 503
    assert api.call("GET", "/search")[0] == 200
    assert [entry.status for entry in emulator.log[-3:]] == [503, 503, 200]
    emulator.inject(Fault("GET", "^/api/search$", "status", status=429, retry_after=7))
    response = niquests.get(
        grafana.url + "/api/search",
        timeout=10,
        headers={"Authorization": f"Bearer {grafana.token}"},
    )
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    emulator.inject(Fault("GET", "^/api/search$", "drop"))
    with pytest.raises(niquests.exceptions.ConnectionError):
        niquests.get(
            grafana.url + "/api/search",
            timeout=10,
            retries=0,
            headers={"Authorization": f"Bearer {grafana.token}"},
        )
