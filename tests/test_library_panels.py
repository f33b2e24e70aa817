"""Library panels: defined once in Python, built, synced before the dashboards that use them,
told apart from edits made in Grafana, pruned once nothing uses them; and rows L1-L7 of
BEHAVIOR-ALERTING.md by raw HTTP (the emulator, or a real Grafana)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import Api, folder, save, uid
from tests.support.synced import ONE_API, RESOURCES, Synced

LIBRARY = "phoenix-service-error-ratio"
VERSIONS = pytest.mark.parametrize("grafana", ["12.3.3", "13.2.0"], indirect=True)


def element(api: Api, element_uid: str = LIBRARY) -> dict[str, Any]:
    status, found = api.call("GET", f"/library-elements/{element_uid}")
    assert status == 200, found
    return dict(found["result"])


def test_build_writes_one_definition_used_by_two_dashboards(repo_build: Any) -> None:
    [library] = repo_build.library_panels
    assert (library.uid, library.name) == (LIBRARY, "Phoenix service error ratio")
    assert library.used_by == ("phoenix-overview", "phoenix-performance")
    assert library.model["type"] == "stat" and "gridPos" not in library.model
    files = repo_build.files()
    body = json.loads(files[f"library-panels/{LIBRARY}.json"])
    assert body["kind"] == 1 and body["model"]["libraryPanel"]["uid"] == LIBRARY


def test_two_uses_that_differ_are_an_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from phoenix_dash.cli import main
    from tests.support.project import copy_repo_project

    config = copy_repo_project(tmp_path)
    performance = tmp_path / "dashboards" / "performance.py"
    performance.write_text(
        performance.read_text().replace(
            "SERVICE_ERROR_RATIO(gridPos=size(6, 8)),",
            'SERVICE_ERROR_RATIO(gridPos=size(6, 8), title="Errors"),',
        )
    )
    result = CliRunner().invoke(main, ["build", "--config", str(config)])
    assert result.exit_code == 2
    assert f"library panel {LIBRARY!r} differs from its use in dashboard 'phoenix-overview'" in (
        result.output
    )


@VERSIONS
@ONE_API
def test_first_sync_creates_it_before_its_dashboards_second_writes_nothing(
    synced: Synced, api: Api
) -> None:
    emulator = synced.grafana.require_emulator()
    first = synced.run("sync")
    assert first.exit_code == 0, first.output
    writes = [f"{w.method} {w.path}" for w in emulator.writes()]
    created = writes.index("POST /api/library-elements")
    dashboards = [i for i, w in enumerate(writes) if "dashboard" in w and "library" not in w]
    assert dashboards and created < min(dashboards)
    found = element(api)
    assert found["version"] == 1 and found["meta"]["connectedDashboards"] == 2
    emulator.log.clear()
    assert f"{RESOURCES} unchanged, 0 conflicts" in synced.run("sync").output
    assert emulator.writes() == []


@ONE_API
def test_a_code_change_is_one_patch_an_edit_in_grafana_a_conflict(synced: Synced, api: Api) -> None:
    synced.run("sync")
    _phoenix = synced.config.parent / "dashboards" / "_phoenix.py"
    _phoenix.write_text(
        _phoenix.read_text().replace(
            '"Share of requests that ended in an error."', '"Failed share of requests."'
        )
    )
    emulator = synced.grafana.require_emulator()
    emulator.log.clear()
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    patches = [w for w in emulator.writes() if "library-elements" in w.path]
    assert [(w.method, w.body["version"]) for w in patches] == [("PATCH", 1)]
    assert element(api)["model"]["description"] == "Failed share of requests."
    edited = element(api)
    api.call(
        "PATCH",
        f"/library-elements/{LIBRARY}",
        {"kind": 1, "version": edited["version"], "model": {**edited["model"], "title": "Mine"}},
    )
    conflict = synced.run("sync")
    assert conflict.exit_code == 1
    assert f"CONFLICT library-panel {LIBRARY}: saved by someone else since" in conflict.output
    assert element(api)["model"]["title"] == "Mine"
    assert synced.run("sync", "--force").exit_code == 0
    assert element(api)["model"]["title"] == "Error ratio"
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


def unuse(synced: Synced) -> None:
    """The project stops using its library panel: both uses become plain panels."""
    for name in ("overview.py", "performance.py"):
        path = synced.config.parent / "dashboards" / name
        path.write_text(
            path.read_text()
            .replace("SERVICE_ERROR_RATIO(gridPos=size(6, 8)),", "SERVICE_ERROR_RATIO.panel,")
            .replace("SERVICE_ERROR_RATIO(),", "SERVICE_ERROR_RATIO.panel,")
        )


@ONE_API
def test_prune_deletes_it_after_the_dashboards_stop_using_it(synced: Synced, api: Api) -> None:
    synced.run("sync")
    unuse(synced)
    emulator = synced.grafana.require_emulator()
    emulator.log.clear()
    result = synced.run("sync", "--prune", "--allow-delete-all")
    assert result.exit_code == 0, result.output
    writes = [f"{w.method} {w.path}" for w in emulator.writes()]
    deleted = writes.index(f"DELETE /api/library-elements/{LIBRARY}")
    assert all(i < deleted for i, w in enumerate(writes) if "dashboard" in w)
    assert not [e for e in emulator.log if e.status in (403, 409)]
    assert api.call("GET", f"/library-elements/{LIBRARY}")[0] == 404


@ONE_API
def test_prune_keeps_it_while_a_dashboard_of_someone_else_uses_it(synced: Synced, api: Api) -> None:
    synced.run("sync")
    theirs = {
        "uid": uid("theirs"),
        "title": uid("Theirs"),
        "panels": [
            {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}, "libraryPanel": {"uid": LIBRARY}}
        ],
    }
    assert save(api, theirs)[0] == 200
    unuse(synced)
    result = synced.run("sync", "--prune", "--allow-delete-all")
    assert result.exit_code == 1
    assert f"dashboards phoenix-dash does not write use it ({theirs['uid']})" in result.output
    assert api.call("GET", f"/library-elements/{LIBRARY}")[0] == 200


# --- BEHAVIOR-ALERTING.md L1-L7 by raw HTTP -------------------------------------------------


def model(title: str = "Shared") -> dict[str, Any]:
    return {"title": title, "type": "stat", "targets": [{"refId": "A"}]}


def test_l1_uids_names_and_folders_are_checked(api: Api) -> None:
    name = uid("lib")
    body = {"uid": uid("l"), "name": name, "kind": 1, "model": model()}
    status, created = api.call("POST", "/library-elements", body)
    assert status == 200 and created["result"]["version"] == 1
    for changed, message in (
        ({"uid": "bad uid!"}, "uid contains illegal characters"),
        ({"uid": "u" * 41}, "uid too long, max 40 characters"),
        ({"uid": uid("l")}, "library element with that name or UID already exists"),
        (
            {"name": uid("x"), "uid": uid("l"), "folderUid": "no-such-folder"},
            "failed to get folder",
        ),
    ):
        status, answer = api.call("POST", "/library-elements", {**body, **changed})
        assert (status, answer["message"]) == (400, message)


def test_l2_type_and_description_are_added_the_reference_filled_in(api: Api) -> None:
    element_uid = uid("l")
    sent = {"title": "T", "libraryPanel": {"uid": "", "name": "N"}}
    api.call(
        "POST",
        "/library-elements",
        {"uid": element_uid, "name": uid("n"), "kind": 1, "model": sent},
    )
    stored = element(api, element_uid)["model"]
    assert (stored["type"], stored["description"]) == ("", "")
    assert stored["libraryPanel"]["uid"] == element_uid


def test_l3_every_patch_bumps_the_version_a_stale_one_is_412(api: Api) -> None:
    element_uid = uid("l")
    api.call(
        "POST",
        "/library-elements",
        {"uid": element_uid, "name": uid("n"), "kind": 1, "model": model()},
    )
    for version in (1, 2):  # nothing changed: a new version all the same
        status, answer = api.call(
            "PATCH", f"/library-elements/{element_uid}", {"kind": 1, "version": version}
        )
        assert (status, answer["result"]["version"]) == (200, version + 1)
    status, answer = api.call(
        "PATCH", f"/library-elements/{element_uid}", {"kind": 1, "version": 1}
    )
    assert (status, answer["message"]) == (
        412,
        "the library element has been changed by someone else",
    )


def test_l4_an_unknown_element_is_404(api: Api) -> None:
    status, answer = api.call("GET", f"/library-elements/{uid('none')}")
    assert (status, answer["message"]) == (404, "library element could not be found")


def test_l6_an_element_a_dashboard_uses_cannot_be_deleted(api: Api) -> None:
    element_uid = uid("l")
    api.call(
        "POST",
        "/library-elements",
        {"uid": element_uid, "name": uid("n"), "kind": 1, "model": model()},
    )
    dashboard_uid = uid("d")
    panel = {
        "id": 1,
        "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
        "libraryPanel": {"uid": element_uid},
    }
    save(api, {"uid": dashboard_uid, "title": dashboard_uid, "panels": [panel]})
    status, answer = api.call("DELETE", f"/library-elements/{element_uid}")
    assert (status, answer["message"]) == (403, "the library element has connections")
    _, connections = api.call("GET", f"/library-elements/{element_uid}/connections/")
    assert [c["connectionUid"] for c in connections["result"]] == [dashboard_uid]
    save(api, {"uid": dashboard_uid, "title": dashboard_uid, "panels": []}, overwrite=True)
    status, answer = api.call("DELETE", f"/library-elements/{element_uid}")
    assert status == 200 and answer["message"] == "Library element deleted"


@pytest.mark.parametrize("grafana", ["12.3.3"], indirect=True)
def test_l7_grafana_12_stores_a_dashboard_naming_an_unknown_element_then_answers_500(
    api: Api,
) -> None:
    dashboard_uid = uid("d")
    panel = {
        "id": 1,
        "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
        "libraryPanel": {"uid": uid("x")},
    }
    status, answer = save(api, {"uid": dashboard_uid, "title": dashboard_uid, "panels": [panel]})
    assert (status, answer["message"]) == (500, "Error while connecting library panels")
    assert api.call("GET", f"/dashboards/uid/{dashboard_uid}")[0] == 200  # stored all the same
    assert folder(api)  # the server is fine


def test_a_pull_request_shows_what_it_changes_in_a_library_panel(tmp_path: Path) -> None:
    import subprocess

    from click.testing import CliRunner

    from phoenix_dash.cli import main
    from tests.support.project import copy_repo_project

    config = copy_repo_project(tmp_path)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    assert CliRunner().invoke(main, ["build", "--config", str(config)]).exit_code == 0
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    _phoenix = tmp_path / "dashboards" / "_phoenix.py"
    _phoenix.write_text(
        _phoenix.read_text().replace("ERROR_RATIO,\n    ),\n)", "GOOD_LOW,\n    ),\n)")
    )
    assert CliRunner().invoke(main, ["build", "--config", str(config)]).exit_code == 0
    diff = CliRunner().invoke(main, ["diff", "--against", "HEAD", "--config", str(config)])
    assert diff.exit_code == 1, diff.output
    assert (
        f"~ library-panel {LIBRARY} (Phoenix service error ratio) update: changed since HEAD"
        in (diff.output)
    )


def test_a_bare_reference_grafana_saved_is_kept_and_never_a_definition() -> None:
    from phoenix_dash.library_panels import gather

    dashboard = {
        "panels": [
            {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}, "libraryPanel": {"uid": "x"}},
        ]
    }
    assert gather([("d", dashboard)]) == []  # the element stays Grafana's: never rewritten


@ONE_API
def test_a_pulled_dashboard_keeps_its_library_panels(synced: Synced, api: Api) -> None:
    """Made in the UI: a library element, and a dashboard whose use of it is saved bare."""
    element_uid = uid("shared")
    stat = {
        "type": "stat",
        "title": "Uptime",
        "description": "Targets up.",
        "datasource": {"type": "prometheus", "uid": "phoenix-prometheus"},
        "targets": [{"refId": "A", "expr": "sum(up)"}],
    }
    library = {"uid": element_uid, "name": "Shared uptime", "kind": 1, "model": stat}
    synced.run("sync")  # the folder and datasources
    assert api.call("POST", "/library-elements", library)[0] == 200
    board = uid("board")
    use = {"id": 3, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}}
    use["libraryPanel"] = {"uid": element_uid, "name": "Shared uptime"}
    assert save(api, {"uid": board, "title": board, "panels": [use]})[0] == 200
    pulled = synced.root / "pulled"
    assert synced.run("pull", "--uid", board, "--out", str(pulled)).exit_code == 0
    [panel] = json.loads((pulled / f"{board}.json").read_text())["panels"]
    assert (panel["type"], panel["title"], panel["gridPos"]) == ("stat", "Uptime", use["gridPos"])
    assert panel["libraryPanel"] == {"uid": element_uid, "name": "Shared uptime"}
    adopted = synced.run("adopt", str(pulled / f"{board}.json"))
    assert adopted.exit_code == 0, adopted.output
    library_module = synced.root / "dashboards" / "_library_panels" / "shared_uptime.py"
    assert "SHARED_UPTIME = LibraryPanel(" in library_module.read_text()
    [module] = [p for p in (synced.root / "dashboards").glob("*.py") if board in p.read_text()]
    assert "SHARED_UPTIME(gridPos=GridPos(h=4, w=6, x=0, y=0), id=3)" in module.read_text()
    assert synced.run("build").exit_code == 0
    built = json.loads(
        (synced.root / "build" / "library-panels" / f"{element_uid}.json").read_text()
    )
    assert built["model"]["targets"][0]["expr"] == "sum(up)"
    first = synced.run("sync")  # the element was made in the UI: not overwritten unasked
    assert f"CONFLICT library-panel {element_uid}: exists and was not written" in first.output


@ONE_API
def test_l9_served_from_apis_the_record_survives_and_edits_are_still_conflicts(
    synced: Synced, api: Api
) -> None:
    """With libraryelementsKubernetesLibraryPanels on, Grafana rebuilds the model from a few
    keys and counts versions as generations: phoenix-dash's record, kept in the options,
    still tells its writes from a save in Grafana."""
    emulator = synced.grafana.require_emulator()
    emulator.quirks.feature_flags.add("libraryelementsKubernetesLibraryPanels")
    assert synced.run("sync").exit_code == 0
    stored = element(api)
    assert stored["model"]["options"]["phoenixDash"]["version"] == stored["version"] == 1
    api.call("PATCH", f"/library-elements/{LIBRARY}", {"kind": 1, "version": 1, "name": ""})
    assert element(api)["version"] == 1  # L9: a PATCH that changes nothing is no generation
    emulator.log.clear()
    assert f"{RESOURCES} unchanged, 0 conflicts" in synced.run("sync").output
    assert emulator.writes() == []
    model = {**stored["model"], "title": "Mine", "maxDataPoints": 10}
    api.call("PATCH", f"/library-elements/{LIBRARY}", {"kind": 1, "version": 1, "model": model})
    assert "maxDataPoints" not in element(api)["model"]  # not a key the spec keeps
    conflict = synced.run("sync")
    assert f"CONFLICT library-panel {LIBRARY}: saved by someone else since" in conflict.output
    assert synced.run("sync", "--force").exit_code == 0
    assert element(api)["model"]["title"] == "Error ratio"
    assert f"{RESOURCES} unchanged" in synced.run("sync").output
    pulled = synced.root / "pulled"
    assert synced.run("pull", "--uid", "phoenix-overview", "--out", str(pulled)).exit_code == 0
    text = (pulled / "phoenix-overview.json").read_text()
    assert LIBRARY in text and "phoenixDash" not in text  # the record is Grafana-side only
