"""A typo in phoenix-dash.yaml, or a module that stopped defining anything, never empties
build/ or Grafana: a configured path that does not exist is an error, a build that would drop
every dashboard or alert rule is refused, and `sync --prune` neither deletes every managed
resource of a kind nor more than --max-deletions without being told to."""

from __future__ import annotations

import shutil

import pytest

from tests.support.synced import ONE_API, Synced, writes


def tree(synced: Synced) -> dict[str, bytes]:
    build = synced.root / "build"
    return {
        p.relative_to(build).as_posix(): p.read_bytes()
        for p in sorted(build.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("key", "typo"), [("alerts", "alert"), ("dashboards", "dashbaords"), ("catalog", "metric.yaml")]
)
@ONE_API
def test_a_configured_path_that_does_not_exist_is_an_error(
    synced: Synced, key: str, typo: str
) -> None:
    assert synced.run("build").exit_code == 0
    before = tree(synced)
    text = synced.config.read_text()
    synced.config.write_text(
        text.replace("paths:\n", f"paths:\n  {key}: {typo}\n", 1)
        if f"  {key}:" not in text
        else text.replace(f"  {key}: ", f"  {key}: {typo} #", 1)
    )
    line = next(
        n
        for n, row in enumerate(synced.config.read_text().splitlines(), 1)
        if row.startswith(f"  {key}: {typo}")
    )
    for command in (("build",), ("sync", "--prune"), ("lint",), ("diff",)):
        result = synced.run(*command)
        assert result.exit_code == 2, (command, result.output)
        assert result.output == (
            f"error: phoenix-dash.yaml:{line}: paths.{key}: {typo!r} "
            f"does not exist (in {synced.root})\n"
        )
    assert tree(synced) == before
    assert writes(synced.grafana) == 0


@ONE_API
def test_a_build_that_drops_every_alert_rule_is_refused(synced: Synced) -> None:
    assert synced.run("build").exit_code == 0
    before = tree(synced)
    for module in (synced.root / "alerts").glob("*.py"):
        if not module.name.startswith("_"):
            module.unlink()
    result = synced.run("build")
    assert result.exit_code == 2
    line = synced.config.read_text().splitlines().index("  alerts: alerts") + 1
    assert result.output == (
        f"error: phoenix-dash.yaml:{line}: paths.alerts: alerts/ yields no "
        "alerts, but build/ holds 4: refusing to remove them (`phoenix-dash "
        "build --allow-empty alerts` if that is meant)\n"
    )
    assert tree(synced) == before
    allowed = synced.run("build", "--allow-empty", "alerts")
    assert allowed.exit_code == 0, allowed.output
    assert not any(path.startswith("alerts/grafana/") for path in tree(synced))


@ONE_API
def test_a_build_that_drops_every_dashboard_is_refused(synced: Synced) -> None:
    assert synced.run("build").exit_code == 0
    shutil.rmtree(synced.root / "alerts")  # their panel links need the dashboards
    (synced.root / "alerts").mkdir()
    assert synced.run("build", "--allow-empty", "alerts").exit_code == 0
    before = tree(synced)
    for module in (synced.root / "dashboards").glob("*.py"):
        if not module.name.startswith("_"):
            module.unlink()
    result = synced.run("build")
    assert (
        result.exit_code == 2
        and "dashboards/ yields no dashboards, but build/ holds 4" in result.output
    )
    assert tree(synced) == before


@ONE_API
def test_prune_never_deletes_every_managed_resource_of_a_kind_unasked(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    rules = set(emulator.state.org(1).rules)
    for module in (synced.root / "alerts").glob("*.py"):
        if not module.name.startswith("_"):
            module.unlink()
    before = writes(synced.grafana)
    refused = synced.run("sync", "--prune")
    assert refused.exit_code == 2
    assert refused.output.startswith(
        "error: the plan deletes every managed alert-group in Grafana (phoenix/Phoenix "
    )
    assert refused.output.rstrip().endswith(
        "refusing without --allow-delete-all; nothing was changed"
    )
    assert writes(synced.grafana) == before and set(emulator.state.org(1).rules) == rules
    allowed = synced.run("sync", "--prune", "--allow-delete-all")
    assert allowed.exit_code == 0, allowed.output
    assert emulator.state.org(1).rules == {}


@ONE_API
def test_max_deletions_refusal_names_what_it_would_delete(synced: Synced) -> None:
    assert synced.run("sync").exit_code == 0
    (synced.root / "alerts/agents.py").unlink()
    (synced.root / "alerts/tasks.py").unlink()
    before = writes(synced.grafana)
    refused = synced.run("sync", "--prune", "--max-deletions", "1")
    assert refused.exit_code == 2
    assert refused.output == (
        "error: the plan deletes 2 resources, more than --max-deletions "
        "1: phoenix/Phoenix agents, phoenix/Phoenix tasks; nothing was "
        "changed\n"
    )
    assert writes(synced.grafana) == before
    assert synced.run("sync", "--prune").exit_code == 0


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [("dashboards", "metrics.yaml", "directory"), ("catalog", "alerts", "file")],
)
@ONE_API
def test_a_configured_path_of_the_wrong_kind_is_an_error(
    synced: Synced, key: str, value: str, kind: str
) -> None:
    text = synced.config.read_text()
    synced.config.write_text(text.replace(f"  {key}: ", f"  {key}: {value} #", 1))
    result = synced.run("build")
    assert result.exit_code == 2
    assert result.output.endswith(f"paths.{key}: {value!r} is not a {kind}\n")
