"""sync and diff against the emulator (or a real Grafana): plan, apply, idempotency,
conflicts, prune, environments, selection, bad input (reliability: test_sync_reliability)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import Api, wait_for_search
from tests.support.project import MINIMAL_DASHBOARD
from tests.support.synced import ONE_API, RESOURCES, Synced, writes

P99_STEPS = ('("orange", 0.5), ("red", 1)', '("orange", 0.3), ("red", 1)')


def test_first_sync_creates_everything_and_second_writes_nothing(synced: Synced) -> None:
    first = synced.run("sync")
    assert first.exit_code == 0, first.output
    assert f"{RESOURCES} to create" in first.output
    assert f"{RESOURCES} written, 0 failed" in first.output
    emulator = synced.grafana.emulator
    before = len(emulator.writes()) if emulator else 0
    second = synced.run("sync")
    assert second.exit_code == 0, second.output
    assert (
        f"0 to create, 0 to update, 0 to delete, {RESOURCES} unchanged, 0 conflicts"
        in second.output
    )
    if emulator:
        assert len(emulator.writes()) == before  # idempotent: zero writes
        assert emulator.schema_violations == []
    assert synced.run("diff").exit_code == 0


def test_dry_run_writes_nothing(synced: Synced) -> None:
    result = synced.run("sync", "--dry-run")
    assert result.exit_code == 0 and "+ dashboard phoenix-overview" in result.output
    assert writes(synced.grafana) == 0


def test_diff_shows_per_panel_changes_in_three_formats(synced: Synced) -> None:
    synced.run("sync")
    synced.edit("dashboards/overview.py", *P99_STEPS)
    synced.edit("alerts/thresholds.yaml", "request_latency_p99: 1s", "request_latency_p99: 2s")
    text = synced.run("diff")
    assert text.exit_code == 1
    assert "~ dashboard phoenix-overview" in text.output
    assert "    Latency p99: threshold 0.5 -> 0.3" in text.output
    assert "rule 'Request latency p99 over SLO': threshold > 1 -> > 2" in text.output
    markdown = synced.run("diff", "--format", "markdown")
    assert markdown.output.startswith("### phoenix-dash diff") and "| ~ |" in markdown.output
    data = json.loads(synced.run("diff", "--format", "json").output)
    assert data["summary"]["update"] == 2
    assert any("Latency p99: threshold 0.5 -> 0.3" in c["details"] for c in data["changes"])


def test_ui_edit_between_syncs_is_a_conflict_until_forced(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    synced.run("sync")
    emulator.ui_edit("phoenix-overview", lambda d: d.update(title="Edited by hand"), user="alice")
    synced.edit("dashboards/overview.py", '"Health of the Phoenix', '"Health of Phoenix')
    before = len(emulator.writes())
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "CONFLICT dashboard phoenix-overview: last saved by " in result.output
    assert "alice at " in result.output
    assert "not by phoenix-dash (--force to overwrite)" in result.output
    assert len(emulator.writes()) == before
    forced = synced.run("sync", "--force")
    assert forced.exit_code == 0, forced.output
    assert synced.run("sync").output.count("0 conflicts") == 1


def test_prune_deletes_only_managed_and_respects_max_deletions(synced: Synced) -> None:
    import niquests

    emulator = synced.grafana.require_emulator()
    extra = synced.root / "dashboards/extra.py"
    extra.write_text(MINIMAL_DASHBOARD.format(uid="extra-board", title="Extra"))
    assert synced.run("sync").exit_code == 0
    unmanaged = {"dashboard": {"uid": "hand-made", "title": "Hand made", "tags": []}}
    niquests.post(
        f"{synced.grafana.url}/api/dashboards/db",
        json=unmanaged,
        timeout=10,
        headers={"Authorization": f"Bearer {synced.grafana.token}"},
    )
    wait_for_search(Api(synced.grafana), ["extra-board"])  # D7: prune finds it by search
    extra.unlink()
    kept = synced.run("sync")
    assert kept.exit_code == 0, kept.output
    assert "extra-board" in emulator.state.org(1).dashboards  # no --prune: left alone
    refused = synced.run("sync", "--prune", "--max-deletions", "0")
    assert refused.exit_code == 2
    assert "deletes 1 resource, more than --max-deletions 0" in refused.output
    pruned = synced.run("sync", "--prune")
    assert pruned.exit_code == 0, pruned.output
    dashboards = set(emulator.state.org(1).dashboards)
    assert "extra-board" not in dashboards and "hand-made" in dashboards
    assert "phoenix-overview" in dashboards


def test_only_and_exclude_select_resources(synced: Synced) -> None:
    missing = synced.run("sync", "--only", "phoenix-overview", "--only", "folder")
    assert missing.exit_code == 2  # its Loki panel needs a datasource the target lacks
    assert "uses datasource uid 'phoenix-loki'" in missing.output
    only = ("--only", "phoenix-overview", "--only", "folder", "--only", "datasources")
    library = synced.run("sync", *only)  # the spelling: plural kinds work
    assert library.exit_code == 2  # and the library panel it shows is not selected
    assert "uses library panel 'phoenix-service-error-ratio'" in library.output
    result = synced.run("sync", *only, "--only", "library-panels")
    assert result.exit_code == 0, result.output
    assert "7 to create" in result.output
    result = synced.run("sync", "--exclude", "alert-group", "--exclude", "templates")
    # The other three dashboards and the notification resources but the two templates.
    assert "7 to create" in result.output


def test_version_message_records_revision_hash_and_note(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    synced.run("sync", "--message", "release 42")
    message = emulator.state.org(1).dashboards["phoenix-overview"].current.message
    assert message.startswith("phoenix-dash ") and " sha256:" in message
    assert message.endswith(": release 42")


def test_environment_maps_folders_and_datasources(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    missing = synced.run("sync", "--env", "staging", "--exclude", "datasource")
    assert missing.exit_code == 2
    assert "uses datasource uid 'staging-" in missing.output
    assert "nothing was changed" in missing.output
    assert emulator.writes() == []
    result = synced.run("sync", "--env", "staging")
    assert result.exit_code == 0, result.output
    org = emulator.state.org(1)
    assert org.datasources["staging-prometheus"]["url"] == "http://prometheus.staging:9090"
    assert org.datasources["staging-loki"]["url"] == "http://loki:3100"
    tempo = org.datasources["phoenix-tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == "staging-loki"  # correlation remapped
    assert org.folders["phoenix-staging"].title == "Phoenix (staging)"
    overview = org.dashboards["phoenix-overview"]
    assert overview.folder_uid == "phoenix-staging"
    assert synced.logs_datasource("phoenix-overview") == "staging-loki"
    assert all(
        q["datasourceUid"] in ("staging-prometheus", "__expr__")
        for r in org.rules.values()
        for q in r["data"]
    )
    assert synced.run("sync", "--env", "prod").exit_code == 2  # unknown environment


def test_alert_rules_provenance_and_editable_mode(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    synced.run("sync")
    assert {r["provenance"] for r in emulator.state.org(1).rules.values()} == {"api"}
    synced.config.write_text(
        synced.config.read_text().replace(
            "  managed_tag: phoenix-dash-test",
            "  managed_tag: phoenix-dash-test\n  alert_rules_editable: true",
        )
    )
    rule = next(
        r for r in emulator.state.org(1).rules.values() if r["title"] == "Scrape target down"
    )
    rule["for"] = "10m"  # a person's edit in the UI
    result = synced.run("sync")
    assert result.exit_code == 1
    assert "rules edited outside phoenix-dash: Scrape target down" in result.output
    assert synced.run("sync", "--force").exit_code == 0
    assert {r["provenance"] for r in emulator.state.org(1).rules.values()} == {""}


@pytest.mark.parametrize("case", ["bad token", "unreachable", "unknown folder", "duplicate uid"])
def test_bad_input_is_one_line_exit_2_and_no_writes(synced: Synced, case: str) -> None:
    emulator = synced.grafana.require_emulator()
    if case == "bad token":
        synced.grafana.token = "glsa_bad"
    elif case == "unreachable":
        synced.config.write_text(
            synced.config.read_text().replace(
                f"url: {synced.grafana.url}", "url: http://127.0.0.1:9"
            )
        )
    elif case == "unknown folder":
        synced.config.write_text(
            synced.config.read_text().replace(
                "dashboards:\n  folder: phoenix", "dashboards:\n  folder: nowhere"
            )
        )
    else:
        synced.edit(
            "dashboards/performance.py",
            '    PERFORMANCE,\n    "Resource',
            '    "phoenix-overview",\n    "Resource',
        )
    result = synced.run("sync")
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: ")
    assert emulator.writes() == []


@pytest.mark.parametrize("schema", ["v1", "v2"])
@ONE_API  # the schema is this test's own parameter
def test_diff_against_a_git_revision_needs_no_grafana(synced: Synced, schema: str) -> None:
    """Whichever schema build writes, the review reads the same."""
    root = synced.root
    synced.config.write_text(
        synced.config.read_text().replace("\ndashboards:\n", f"\ndashboards:\n  schema: {schema}\n")
    )
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    synced.run("build")
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    synced.edit("dashboards/overview.py", *P99_STEPS)
    synced.config.write_text(
        synced.config.read_text().replace(f"url: {synced.grafana.url}", "url: http://127.0.0.1:9")
    )  # no Grafana needed
    result = synced.run("diff", "--against", "HEAD")
    assert result.exit_code == 1, result.output
    assert "~ dashboard phoenix-overview" in result.output
    assert "Latency p99: threshold 0.5 -> 0.3" in result.output
    assert synced.run("diff", "--against", "no-such-ref").exit_code == 2


def test_pull_writes_normalised_dashboards(synced: Synced, tmp_path: Path) -> None:
    synced.run("sync")
    out = tmp_path / "pulled"
    result = synced.run("pull", "--uid", "phoenix-overview", "--out", str(out))
    assert result.exit_code == 0, result.output
    data: Any = json.loads((out / "phoenix-overview.json").read_text())
    assert data["uid"] == "phoenix-overview" and "id" not in data and "version" not in data
    assert "phoenixDash" not in data  # the legacy write record is bookkeeping, not content
