"""Raw HTTP calls to the test Grafana (emulator or real), for the API behaviour tests."""

from __future__ import annotations

import time
import uuid
from typing import Any

import niquests

from tests.support.grafana import GrafanaTarget


class Api:
    def __init__(
        self, target: GrafanaTarget, token: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.base = target.url + "/api"
        self.root = target.url
        self.headers = {"Authorization": f"Bearer {token or target.token}", **(headers or {})}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        root: bool = False,
        **params: Any,
    ) -> tuple[int, Any]:
        """``path`` under /api, or under the server root with ``root`` (/apis, /bootdata)."""
        response = niquests.request(
            method,
            (self.root if root else self.base) + path,
            json=body,
            data=raw,
            params=params or None,
            headers={**self.headers, **(headers or {})},
            timeout=10,
        )
        text = response.text or ""
        return response.status_code or 0, (response.json() if text.strip() else None)


def under_root(
    api: Api, method: str, path: str, body: Any = None, **params: str
) -> tuple[int, Any]:
    """A call of the resource APIs (``/apis/...``), under the server root."""
    return api.call(method, path, body, None, None, True, **params)


def uid(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def folder(api: Api) -> str:
    folder_uid = uid("f")
    status, _ = api.call("POST", "/folders", {"uid": folder_uid, "title": folder_uid})
    assert status == 200
    return folder_uid


def save(api: Api, dashboard: dict[str, Any], **extra: Any) -> tuple[int, Any]:
    return api.call("POST", "/dashboards/db", {"dashboard": dashboard, **extra})


def wait_for_search(api: Api, uids: list[str], timeout: float = 10.0) -> None:
    """Until /api/search shows every one of ``uids`` (D7: the index may lag a write)."""
    deadline = time.monotonic() + timeout
    while True:
        _, hits = api.call("GET", "/search", type="dash-db", dashboardUIDs=uids)
        if {hit["uid"] for hit in hits or []} >= set(uids):
            return
        assert time.monotonic() < deadline, f"search never showed {uids}"
        time.sleep(0.05)


def rule(folder_uid: str, **extra: Any) -> dict[str, Any]:
    """A valid ProvisionedAlertRule: a math expression and a threshold on it."""
    return {
        "uid": uid("r"),
        "title": uid("rule"),
        "orgID": 1,
        "folderUID": folder_uid,
        "ruleGroup": "g",
        "condition": "C",
        "for": "5m",
        "noDataState": "OK",
        "execErrState": "Error",
        "labels": {"severity": "warning"},
        "annotations": {},
        "data": [
            {
                "refId": "A",
                "datasourceUid": "__expr__",
                "relativeTimeRange": {"from": 600, "to": 0},
                "model": {"refId": "A", "type": "math", "expression": "1"},
            },
            {
                "refId": "C",
                "datasourceUid": "__expr__",
                "relativeTimeRange": {"from": 0, "to": 0},
                "model": {
                    "refId": "C",
                    "type": "threshold",
                    "expression": "A",
                    "conditions": [{"evaluator": {"type": "gt", "params": [0]}}],
                },
            },
        ],
        **extra,
    }
