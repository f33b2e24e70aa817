"""A copy of this repository's project pointed at the test Grafana, for the sync tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from phoenix_dash.cli import main
from tests.support.grafana import GrafanaTarget
from tests.support.project import copy_repo_project

LOKI_SECRET = "loki-S3CRET-value-91c2"
PAGERDUTY_SECRET = "pd-S3CRET-routing-key-5e1f"
SLACK_SECRET = "https://hooks.slack.example/services/T0/B0/S3CRET-77aa"
# 1 folder, 4 datasources, 4 dashboards, 4 rule groups; 2 templates, 1 mute timing, 2 contact
# points and phoenix-dash's policy route; 1 library panel.
RESOURCES = 20
NOTIFICATION_RESOURCES = 6
DATASOURCES = [("phoenix-prometheus", "prometheus"), ("phoenix-loki", "loki")]
EXTRA_DATASOURCE = (
    "datasources:\n",
    "datasources:\n  - {uid: extra, name: Extra, "
    "type: prometheus, url: 'http://extra:9090', access: proxy}\n",
)


# How the sync suite runs: grafana.api (and, after a "-", dashboards.schema).
SYNC_APIS = ("apis", "legacy", "apis-v2")
# For tests whose subject does not depend on the API sync uses for dashboards and folders
# (test_sync*.py cover both): one is enough.
ONE_API = pytest.mark.parametrize("synced", ["apis"], indirect=True)


class Synced:
    """A copy of this repository's project, pointed at the test Grafana, syncing dashboards
    and folders through ``api`` ("apis" or "legacy")."""

    def __init__(self, root: Path, grafana: GrafanaTarget, api: str = "apis") -> None:
        self.root = root
        self.grafana = grafana
        self.api, _, schema = api.partition("-")
        self.schema = schema or "v1"
        self.config = copy_repo_project(root)
        text = self.config.read_text()
        if self.schema != "v1":
            folder = "\ndashboards:\n  folder: phoenix\n"
            assert folder in text
            text = text.replace(folder, f"{folder}  schema: {self.schema}\n", 1)
        self.config.write_text(
            text
            + f"""
grafana:
  url: {grafana.url}
  api: {self.api}
  retries: 6
  backoff: 0.01
  max_concurrency: 8
  timeout: {{connect: 2, read: 2}}
sync:
  managed_tag: phoenix-dash-test
environments:
  staging:
    folders: {{phoenix: {{uid: phoenix-staging, title: Phoenix (staging)}}}}
    datasources: {{phoenix-prometheus: staging-prometheus, phoenix-loki: staging-loki}}
    datasource_urls: {{phoenix-prometheus: "http://prometheus.staging:9090"}}
"""
        )

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(
            main,
            [*args, "--config", str(self.config)],
            env=self.environment(),
            catch_exceptions=False,
        )

    def environment(self) -> dict[str, str]:
        """What sync reads from the environment here: the token and every secret."""
        return {
            "GRAFANA_TOKEN": self.grafana.token,
            "GRAFANA_URL": "",
            "LOKI_PASSWORD": LOKI_SECRET,
            "PHOENIX_PAGERDUTY_KEY": PAGERDUTY_SECRET,
            "PHOENIX_SLACK_WEBHOOK_URL": SLACK_SECRET,
        }

    def path(self, kind: str, uid: str = "") -> str:
        """The API path of a dashboard or folder (of the collection without ``uid``), as the
        emulator logs it, for this project's API."""
        if self.api == "apis":
            group = "dashboard" if kind == "dashboard" else "folder"
            version = "v1" if self.grafana_major() >= 13 else "v1beta1"
            if kind == "dashboard" and self.schema == "v2":
                version = "v2"
            base = f"/apis/{group}.grafana.app/{version}/namespaces/default/{kind}s"
            return f"{base}/{uid}" if uid else base
        if kind == "dashboard":
            return f"/api/dashboards/uid/{uid}" if uid else "/api/dashboards/db"
        return f"/api/folders/{uid}" if uid else "/api/folders"

    def write(self, kind: str, action: str, uid: str = "") -> tuple[str, str]:
        """(method, path regex) of the request that creates, updates or deletes a dashboard
        or folder through this project's API, for fault injection."""
        if self.api == "apis":
            method = {"create": "POST", "update": "PUT", "delete": "DELETE"}[action]
            return method, "^" + re.escape(self.path(kind, "" if action == "create" else uid)) + "$"
        if kind == "dashboard":
            if action == "delete":
                return "DELETE", f"^/api/dashboards/uid/{uid}$"
            return "POST", "^/api/dashboards/db$"
        return (
            ("POST", "^/api/folders$") if action == "create" else ("PUT", f"^/api/folders/{uid}$")
        )

    def logs_datasource(self, uid: str) -> str:
        """The datasource uid of the dashboard's logs panel, as the emulator stores it in
        the project's schema."""
        stored = self.grafana.require_emulator().state.org(1).dashboards[uid]
        if stored.v2_spec is not None:
            for element in stored.v2_spec["elements"].values():
                if element["kind"] == "Panel" and element["spec"]["vizConfig"]["group"] == "logs":
                    query = element["spec"]["data"]["spec"]["queries"][0]["spec"]["query"]
                    return str(query["datasource"]["name"])
        logs = next(p for p in stored.current.data["panels"] if p["type"] == "logs")
        return str(logs["datasource"]["uid"])

    def grafana_major(self) -> int:
        emulator = self.grafana.emulator
        return emulator.quirks.major if emulator is not None else 13

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text()
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new))


def make_datasources(grafana: GrafanaTarget, uids: list[tuple[str, str]]) -> None:
    import niquests

    for uid, kind in uids:
        niquests.post(
            f"{grafana.url}/api/datasources",
            timeout=10,
            headers={"Authorization": f"Bearer {grafana.token}"},
            json={
                "uid": uid,
                "name": uid,
                "type": kind,
                "access": "proxy",
                "url": "http://127.0.0.1:9",
            },
        )


def writes(grafana: GrafanaTarget) -> int:
    return len(grafana.require_emulator().writes())


def plan_now(synced: Synced, force: bool = False) -> tuple[Any, Any, Any]:
    """(connection, plan, target): a sync's plan, to apply later."""
    from phoenix_dash.build import build_project
    from phoenix_dash.config import load_config
    from phoenix_dash.grafana.connection import GrafanaConnection
    from phoenix_dash.grafana.settings import Credentials, settings_from
    from phoenix_dash.sync.options import PlanOptions
    from phoenix_dash.sync.planner import make_plan
    from phoenix_dash.sync.target import make_target

    config = load_config(synced.config)
    target = make_target(config, None, force=force)
    connection = GrafanaConnection(
        settings_from(config.grafana, config.file, {}),
        Credentials("token", "test", token=synced.grafana.token),
    )
    return connection, make_plan(connection, build_project(config), target, PlanOptions()), target
