"""phoenix-dash preview: into an emulated Grafana (--url), the watch loop, the compose file."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from phoenix_dash.cli import main
from phoenix_dash.config import load_config
from phoenix_dash.grafana.connection import GrafanaConnection
from phoenix_dash.grafana.settings import Credentials, GrafanaSettings
from phoenix_dash.preview import FOLDER_UID, watch
from tests.support.grafana import GrafanaTarget
from tests.support.project import ROOT
from tests.support.synced import DATASOURCES, Synced, make_datasources


def test_preview_syncs_into_a_preview_folder_with_non_colliding_uids(
    tmp_path: Path, grafana: GrafanaTarget
) -> None:
    make_datasources(grafana, DATASOURCES)
    project = Synced(tmp_path / "project", grafana)
    result = CliRunner().invoke(
        main,
        ["preview", "--url", grafana.url, "--config", str(project.config)],
        env={"GRAFANA_TOKEN": grafana.token},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"Phoenix / Overview: {grafana.url}/d/preview-phoenix-overview" in lines
    emulator = grafana.require_emulator()
    org = emulator.state.org(1)
    assert set(org.dashboards) == {
        "preview-phoenix-overview",
        "preview-phoenix-performance",
        "preview-phoenix-business-metrics",
        "preview-phoenix-agent-health",
    }
    assert {d.folder_uid for d in org.dashboards.values()} == {FOLDER_UID}
    assert org.rules == {}  # alert rules stay out of previews
    # The library panel too is the preview's own, and the dashboards use that one.
    assert set(org.library_elements) == {"preview-phoenix-service-error-ratio"}
    [use] = [
        p
        for p in org.dashboards["preview-phoenix-overview"].current.data["panels"]
        if "libraryPanel" in p
    ]
    assert use["libraryPanel"]["uid"] == "preview-phoenix-service-error-ratio"
    links = org.dashboards["preview-phoenix-overview"].current.data["links"]
    assert {link["url"] for link in links} == {
        "/d/preview-phoenix-performance",
        "/d/preview-phoenix-business-metrics",
        "/d/preview-phoenix-agent-health",
    }


def test_watch_resyncs_on_edit_and_reports_a_broken_edit(
    tmp_path: Path, grafana: GrafanaTarget
) -> None:
    emulator = grafana.require_emulator()
    make_datasources(grafana, DATASOURCES)
    project = Synced(tmp_path / "project", grafana)
    config = load_config(project.config)
    connection = GrafanaConnection(
        GrafanaSettings(grafana.url, backoff=0.01),
        Credentials("token", "test", token=grafana.token),
    )
    reports: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(config, connection, reports.append, stop), kwargs={"poll": 0.1}
    )
    thread.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 30
        while len(reports) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(reports) >= count, reports

    try:
        wait_for(1)
        assert reports[0].urls and not reports[0].failed
        time.sleep(0.05)  # a distinct modification time
        project.edit("dashboards/overview.py", '"Health of the Phoenix', '"Health of Phoenix')
        wait_for(2)
        overview = emulator.state.org(1).dashboards["preview-phoenix-overview"]
        assert overview.current.data["description"].startswith("Health of Phoenix")
        time.sleep(0.05)
        (project.root / "dashboards/overview.py").write_text("this is not python(\n")
        wait_for(3)
        assert str(reports[2]).startswith("dashboards/overview.py:1: syntax error")
        assert thread.is_alive()  # a broken edit does not stop the watch
    finally:
        stop.set()
        thread.join(10)


def test_compose_file_has_the_stack_and_the_uids_the_code_uses() -> None:
    compose = yaml.safe_load((ROOT / "preview/docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"grafana", "prometheus", "simulator"}
    image = services["grafana"]["image"]
    assert image.startswith("grafana/grafana:") and image.split(":")[1][0].isdigit()  # pinned
    assert services["prometheus"]["image"].split(":")[1].startswith("v")
    prometheus = yaml.safe_load((ROOT / "preview/prometheus/prometheus.yml").read_text())
    job = prometheus["scrape_configs"][0]
    assert job["job_name"] == "phoenix" and job["static_configs"][0]["targets"] == [
        "simulator:9108"
    ]
    mount = "../build/datasources/provisioning.yaml:/etc/grafana/provisioning/datasources/"
    [volume] = [v for v in services["grafana"]["volumes"] if v.startswith(mount)]
    provisioned = yaml.safe_load((ROOT / "preview" / volume.split(":")[0]).read_text())
    uids = {d["uid"]: d["type"] for d in provisioned["datasources"]}
    config = load_config(ROOT / "phoenix-dash.yaml")
    for name in ("prometheus", "loki", "tempo"):
        ref = config.datasources[name]
        assert uids[ref.uid] == ref.type
    # Secrets reach Grafana through the container's environment, never the file.
    assert "LOKI_PASSWORD" in services["grafana"]["environment"]


def test_preview_without_docker_or_url_says_what_to_do(tmp_path: Path) -> None:
    config = tmp_path / "phoenix-dash.yaml"
    config.write_text("version: 1\ndatasources:\n  prometheus: {type: prometheus, uid: p}\n")
    (tmp_path / "preview").mkdir()
    (tmp_path / "preview/docker-compose.yml").write_text("services: {}\n")
    result = CliRunner().invoke(
        main,
        ["preview", "--config", str(config)],
        env={"PATH": str(tmp_path)},
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert (
        "Docker is not available here: pass a Grafana's address with --url, or use --local "
        "(no Grafana)" in result.output
    )
