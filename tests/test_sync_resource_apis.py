"""Sync over Grafana's resource APIs (/apis): chosen by itself where the server has them,
ownership in Grafana's manager annotations, UI edits allowed or stopped by Grafana, other
managers left alone unless --take-over, the server's dry run judging the plan, prune through
the annotations over every page, and the way from the legacy API to /apis."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.api import Api, under_root
from tests.support.grafana import ADMIN_TOKEN, GrafanaTarget
from tests.support.project import MINIMAL_DASHBOARD
from tests.support.synced import RESOURCES, Synced, writes

PHOENIX = [
    "phoenix-agent-health",
    "phoenix-business-metrics",
    "phoenix-overview",
    "phoenix-performance",
]
DASHBOARDS = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"


# The Overview as Terraform wrote it: another manager's dashboard.
TERRAFORMS_OVERVIEW = {
    "apiVersion": "dashboard.grafana.app/v1",
    "kind": "Dashboard",
    "metadata": {
        "name": "phoenix-overview",
        "annotations": {
            "grafana.app/managedBy": "terraform",
            "grafana.app/managerId": "tf-prod",
        },
    },
    "spec": {"title": "Terraform's overview", "schemaVersion": 42, "panels": []},
}


def notes_of(api: Api, kind: str, name: str) -> dict[str, str]:
    path = (
        DASHBOARDS
        if kind == "dashboard"
        else "/apis/folder.grafana.app/v1/namespaces/default/folders"
    )
    status, found = api.call("GET", f"{path}/{name}", root=True)
    assert status == 200, found
    notes: dict[str, str] = found["metadata"]["annotations"]
    return notes


def manager_of(api: Api, kind: str, name: str) -> tuple[str, str]:
    notes = notes_of(api, kind, name)
    return notes["grafana.app/managedBy"], notes["grafana.app/managerId"]


def set_grafana(synced: Synced, key: str, value: str) -> None:
    text = re.sub(rf"\n  {key}: .*", "", synced.config.read_text())
    synced.config.write_text(text.replace("\n  retries: 6", f"\n  {key}: {value}\n  retries: 6", 1))


def no_op(synced: Synced) -> None:
    before = writes(synced.grafana)
    again = synced.run("sync")
    assert again.exit_code == 0 and f"{RESOURCES} unchanged, 0 conflicts" in again.output, (
        again.output
    )
    assert writes(synced.grafana) == before


@pytest.mark.parametrize("synced", ["auto"], indirect=True)
def test_sync_picks_the_resource_apis_and_marks_what_it_manages(synced: Synced, api: Api) -> None:
    emulator = synced.grafana.require_emulator()
    first = synced.run("sync", "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["api"] == "apis"
    written = {(e.method, e.path) for e in emulator.writes()}
    assert ("POST", DASHBOARDS) in written
    assert not any(path in ("/api/dashboards/db", "/api/folders") for _, path in written)
    for uid in PHOENIX:
        notes = notes_of(api, "dashboard", uid)
        assert notes["grafana.app/managedBy"] == "kubectl"
        assert notes["grafana.app/managerId"] == "phoenix-dash"
        assert notes["grafana.app/managerAllowsEdits"] == "true"
        assert re.fullmatch(r"dashboards/\w+\.py", notes["grafana.app/sourcePath"])
        assert re.fullmatch(r"[0-9a-f]{16}", notes["grafana.app/sourceChecksum"])
        assert notes["grafana.app/message"].startswith("phoenix-dash ")
    assert manager_of(api, "folder", "phoenix") == ("kubectl", "phoenix-dash")
    no_op(synced)


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_ui_edits_deny_has_grafana_stop_them(synced: Synced, api: Api) -> None:
    from tests.support.emulator.controls import ReadOnlyInUI

    emulator = synced.grafana.require_emulator()
    set_grafana(synced, "ui_edits", "deny")
    assert synced.run("sync").exit_code == 0
    assert "grafana.app/managerAllowsEdits" not in notes_of(api, "dashboard", "phoenix-overview")
    with pytest.raises(ReadOnlyInUI):
        emulator.ui_edit("phoenix-overview", lambda d: d.update(title="By hand"))
    with pytest.raises(ReadOnlyInUI):
        emulator.ui_edit_folder("phoenix", "By hand")
    no_op(synced)
    set_grafana(synced, "ui_edits", "allow")
    allowed = synced.run("sync")
    assert allowed.exit_code == 0 and "grafana.ui_edits is now allow" in allowed.output
    emulator.ui_edit("phoenix-overview", lambda d: d.update(title="By hand"), user="alice")
    edited = synced.run("sync")
    assert (
        edited.exit_code == 1
        and "CONFLICT dashboard phoenix-overview: last saved by user:alice" in edited.output
    )


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_a_dashboard_terraform_manages_is_left_alone_until_taken_over(
    synced: Synced, api: Api
) -> None:
    assert api.call("POST", DASHBOARDS, TERRAFORMS_OVERVIEW, root=True)[0] == 201
    said = (
        "CONFLICT dashboard phoenix-overview: managed by terraform (identity tf-prod), not "
        "phoenix-dash; left unchanged (--take-over makes it phoenix-dash's)"
    )
    for args in (("sync",), ("sync", "--force")):
        result = synced.run(*args)
        assert result.exit_code == 1 and said in result.output, result.output
        assert "(--force to overwrite)" not in result.output
        notes = notes_of(api, "dashboard", "phoenix-overview")
        assert notes["grafana.app/managedBy"] == "terraform"
    taken = synced.run("sync", "--take-over")
    assert taken.exit_code == 0, taken.output
    assert "-> taken over from terraform (identity tf-prod)" in taken.output
    assert manager_of(api, "dashboard", "phoenix-overview") == ("kubectl", "phoenix-dash")
    no_op(synced)


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_a_take_over_whose_claim_fails_says_where_it_leaves_the_dashboard(
    synced: Synced, api: Api
) -> None:
    """Grafana takes a change of manager in two writes (release, then claim): when the
    claim fails, the dashboard is no tool's, and the user is told so and what to run."""
    from tests.support.emulator import Fault

    assert api.call("POST", DASHBOARDS, TERRAFORMS_OVERVIEW, root=True)[0] == 201
    emulator = synced.grafana.require_emulator()
    claim = Fault("PUT", r"/dashboards/phoenix-overview$", "status", status=500, skip=1)
    emulator.inject(claim)
    failed = synced.run("sync", "--take-over")
    assert failed.exit_code == 1, failed.output
    assert (
        "it was released by terraform (identity tf-prod) but not claimed, so no tool "
        "manages it now; `sync --force` makes it phoenix-dash's"
    ) in failed.output
    assert "grafana.app/managedBy" not in notes_of(api, "dashboard", "phoenix-overview")
    again = synced.run("sync", "--force")
    assert again.exit_code == 0, again.output
    assert manager_of(api, "dashboard", "phoenix-overview") == ("kubectl", "phoenix-dash")


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_the_dry_run_shows_what_grafana_would_refuse(synced: Synced, api: Api) -> None:
    """A folder Git Sync manages takes only that repository's resources (managed.go): the
    plan cannot know it, Grafana's dry run does."""
    emulator = synced.grafana.require_emulator()
    assert api.call("POST", "/folders", {"uid": "phoenix", "title": "Phoenix"})[0] == 200
    emulator.manage("folder", "phoenix", "repo", "ops-repo")
    before = writes(synced.grafana)
    dry = synced.run("sync", "--dry-run")
    assert dry.exit_code == 1
    assert (
        "folder phoenix (Phoenix) conflict: managed by Git Sync (repository ops-repo)" in dry.output
    )
    line = next(row for row in dry.output.splitlines() if "dashboard phoenix-overview" in row)
    assert (
        "REJECTED by Grafana's dry run: resource manager (kubectl:phoenix-dash) does not "
        "match folder manager (repo:ops-repo)" in line
    )
    assert "4 rejected by Grafana's dry run" in dry.output
    assert writes(synced.grafana) == before
    markdown = synced.run("diff", "--format", "markdown")
    assert (
        markdown.exit_code == 1 and "**rejected by Grafana:** resource manager" in markdown.output
    )
    as_json = json.loads(synced.run("diff", "--format", "json").output)
    assert as_json["summary"]["rejected"] == 4


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_prune_finds_what_it_manages_by_annotation_over_every_page(
    synced: Synced, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.grafana import resources

    emulator = synced.grafana.require_emulator()
    monkeypatch.setattr(resources, "PAGE_SIZE", 2)
    extra = synced.root / "dashboards/extra.py"
    extra.write_text(MINIMAL_DASHBOARD.format(uid="extra-board", title="Extra"))
    assert synced.run("sync").exit_code == 0
    # Tagged like phoenix-dash's, but nobody's: the legacy API's prune would take it.
    hand_made = {
        "apiVersion": "dashboard.grafana.app/v1",
        "kind": "Dashboard",
        "metadata": {"name": "hand-made"},
        "spec": {"title": "Hand made", "tags": ["phoenix-dash-test"]},
    }
    assert api.call("POST", DASHBOARDS, hand_made, root=True)[0] == 201
    extra.unlink()
    emulator.log.clear()
    pruned = synced.run("sync", "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert "- dashboard extra-board (Extra) delete: no longer defined -> deleted" in pruned.output
    assert "hand-made" not in pruned.output
    pages = [e for e in emulator.log if e.method == "GET" and e.path == DASHBOARDS]
    assert len(pages) >= 3 and any("continue" in e.query for e in pages)
    assert api.call("GET", f"{DASHBOARDS}/hand-made", root=True)[0] == 200


@pytest.mark.parametrize("synced", ["legacy"], indirect=True)
def test_from_the_legacy_api_to_the_resource_apis_in_one_sync(synced: Synced, api: Api) -> None:
    assert synced.run("sync").exit_code == 0
    synced.config.write_text(synced.config.read_text().replace("api: legacy", "api: auto"))
    moved = synced.run("sync")
    assert moved.exit_code == 0, moved.output
    assert (
        moved.output.count("written by phoenix-dash through the legacy API; now marked as its own")
        == 4
    )
    assert "folder phoenix (Phoenix) update: declared in phoenix-dash.yaml" in moved.output
    assert notes_of(api, "dashboard", "phoenix-overview")["grafana.app/managerId"] == "phoenix-dash"
    no_op(synced)
    # Grafana did not count the marking as a spec change (same content): what phoenix-dash
    # recorded must be the generation Grafana has, or the next edit would pass unseen. The
    # edit: a script's write through the API that keeps every annotation (no UI mark).
    _, current = under_root(api, "GET", f"{DASHBOARDS}/phoenix-overview")
    current["spec"]["title"] = "By a script"
    assert under_root(api, "PUT", f"{DASHBOARDS}/phoenix-overview", current)[0] == 200
    edited = synced.run("sync")
    assert edited.exit_code == 1, edited.output
    assert "CONFLICT dashboard phoenix-overview: last saved by service-account:" in edited.output


@pytest.mark.parametrize("grafana", ["12.3.3"], indirect=True)
@pytest.mark.parametrize("synced", ["auto"], indirect=True)
def test_grafana_12_is_synced_through_v1beta1(grafana: GrafanaTarget, synced: Synced) -> None:
    emulator = grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    paths = {e.path for e in emulator.writes()}
    assert "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards" in paths
    assert "/apis/folder.grafana.app/v1beta1/namespaces/default/folders" in paths
    no_op(synced)


@pytest.fixture
def old_grafana() -> Iterator[GrafanaTarget]:
    """A Grafana before the resource APIs (11.x): /apis answers 404."""
    from tests.support.emulator import GrafanaEmulator

    emulator = GrafanaEmulator(version="11.6.0", resource_apis=False).start()
    emulator.add_token(ADMIN_TOKEN, "Admin")
    yield GrafanaTarget(emulator.url, ADMIN_TOKEN, None, emulator)
    emulator.stop()


def test_auto_falls_back_to_the_legacy_api_and_apis_insists(
    tmp_path: Any, old_grafana: GrafanaTarget
) -> None:
    synced = Synced(tmp_path / "project", old_grafana, "auto")
    result = synced.run("sync", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["api"] == "legacy"
    assert all(not e.path.startswith("/apis/") for e in old_grafana.require_emulator().writes())
    ping = synced.run("ping")
    assert "sync uses the legacy /api (the server has no dashboard.grafana.app/v1" in ping.output
    set_grafana(synced, "api", "apis")
    insisted = synced.run("sync")
    assert insisted.exit_code == 2
    assert "grafana.api is 'apis', but" in insisted.output and "does not serve" in insisted.output


@pytest.mark.parametrize("synced", ["auto"], indirect=True)
def test_ping_says_which_api_sync_uses(synced: Synced) -> None:
    result = synced.run("ping")
    assert result.exit_code == 0, result.output
    assert "Grafana 13.2.0" in result.output
    assert (
        "sync uses /apis (dashboard.grafana.app/v1, folder.grafana.app/v1; namespace default)"
        in result.output
    )


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_the_namespace_follows_the_organisation_or_the_setting(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    emulator.add_token("glsa_org_two_token_0123456789abcdef", "Admin", org_id=2)
    synced.grafana.token = "glsa_org_two_token_0123456789abcdef"
    assert synced.run("sync").exit_code == 0
    assert any("/namespaces/org-2/dashboards" in e.path for e in emulator.writes())
    set_grafana(synced, "namespace", "org-7")
    wrong = synced.run("sync")
    assert wrong.exit_code == 2 and 'namespace "org-7"' in wrong.output


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_a_small_project_reads_each_dashboard_once(synced: Synced) -> None:
    """Under 20 dashboards there is no list: one read each, a new one included."""
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    reads = [e.path for e in emulator.log if e.method == "GET" and e.path.startswith(DASHBOARDS)]
    assert sorted(reads) == sorted(f"{DASHBOARDS}/{uid}" for uid in PHOENIX)


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
@pytest.mark.parametrize("metadata_lists", [True, False], ids=["metadata-only", "whole-items"])
def test_a_plan_lists_metadata_and_reads_whole_only_what_changed(
    synced: Synced, monkeypatch: pytest.MonkeyPatch, metadata_lists: bool
) -> None:
    """A no-op reads one list of metadata and no dashboard; a dashboard changed in code is
    read whole (its diff). A server that answers whole items to such a list plans alike."""
    from phoenix_dash.sync.handlers import resource_api

    emulator = synced.grafana.require_emulator()
    emulator.metadata_lists = metadata_lists
    monkeypatch.setattr(resource_api, "LIST_FROM", 1)  # list even this project's 4
    assert synced.run("sync").exit_code == 0
    emulator.log.clear()
    no_op(synced)
    reads = [e for e in emulator.log if e.method == "GET" and e.path.startswith(DASHBOARDS)]
    assert [e.path for e in reads] == [DASHBOARDS]
    assert "as=PartialObjectMetadataList" in reads[0].headers.get("Accept", "")
    synced.edit(
        "dashboards/overview.py", '("orange", 0.5), ("red", 1)', '("orange", 0.3), ("red", 1)'
    )
    emulator.log.clear()
    result = synced.run("diff")
    assert result.exit_code == 1 and "phoenix-overview (Phoenix / Overview) update" in (
        result.output
    )
    reads = [e.path for e in emulator.log if e.method == "GET" and e.path.startswith(DASHBOARDS)]
    whole_read = [f"{DASHBOARDS}/phoenix-overview"] if metadata_lists else []
    assert reads == [DASHBOARDS, *whole_read]


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_pull_reads_through_the_resource_apis_page_by_page(
    synced: Synced, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phoenix_dash.grafana import resources
    from tests.support.api import folder

    emulator = synced.grafana.require_emulator()
    folders = [folder(api), folder(api)]
    for number in range(5):
        body = {"uid": f"p{number}", "title": f"p{number}", "tags": ["team"]}
        saved = api.call(
            "POST", "/dashboards/db", {"dashboard": body, "folderUid": folders[number % 2]}
        )
        assert saved[0] == 200
    api.call("POST", "/dashboards/db", {"dashboard": {"uid": "other", "title": "other"}})
    monkeypatch.setattr(resources, "PAGE_SIZE", 2)
    emulator.log.clear()
    out = synced.root / "pulled"
    result = synced.run(
        "pull", "--folder", folders[0], "--folder", folders[1], "--tag", "team", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in out.glob("*.json")) == [f"p{n}" for n in range(5)]
    pages = [e for e in emulator.log if e.path == DASHBOARDS]
    assert len(pages) == 3 and not any(e.path == "/api/search" for e in emulator.log)
    pulled = json.loads((out / "p0.json").read_text())
    assert pulled["title"] == "p0" and "id" not in pulled and "version" not in pulled
    typo = synced.run("pull", "--uid", "p9", "--out", str(out))
    assert typo.exit_code == 2 and "--uid 'p9': no such dashboard in Grafana" in typo.output


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_a_grafana_cloud_stack_says_its_namespace(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    emulator.state.cloud_stack = 4242
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    assert any("/namespaces/stacks-4242/dashboards" in e.path for e in emulator.writes())
    assert "namespace stacks-4242" in synced.run("ping").output


@pytest.mark.parametrize("synced", ["apis"], indirect=True)
def test_switching_the_dashboard_schema_rewrites_each_dashboard_once(
    synced: Synced, api: Api
) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    text = synced.config.read_text()
    folder = "\ndashboards:\n  folder: phoenix\n"
    for schema in ("v2", "v1"):
        synced.config.write_text(text.replace(folder, f"{folder}  schema: {schema}\n"))
        switched = synced.run("sync")
        assert switched.exit_code == 0, switched.output
        assert "4 to update" in switched.output and "0 conflicts" in switched.output
        stored = emulator.state.org(1).dashboards["phoenix-overview"]
        assert (stored.v2_spec is not None) == (schema == "v2")
        no_op(synced)
    _, v2 = under_root(api, "GET", DASHBOARDS.replace("/v1/", "/v2/") + "/phoenix-overview")
    assert v2["status"]["conversion"]["storedVersion"] == "v1"  # back in v1: read as stored
