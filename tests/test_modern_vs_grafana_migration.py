"""The modern layer against Grafana's own migration (../shared/grafana/goldens/migration: 55
old dashboards and what Grafana's backend migration makes of them), with the goldens' mocked
datasources as the project's.

Measured on the fields the layer touches: panel types (Angular panels migrated), each
target's datasource, thresholds, and the variables. Where they differ, for reasons each
written here:
- phoenix-dash refuses a datasource name or uid it does not know (a typo must not build a
  dashboard that shows nothing), where Grafana keeps the unknown reference; and it refuses
  two panels with one id, which Grafana renumbers;
- Grafana gives a panel without queries one default query (its v36 migration); phoenix-dash
  leaves it without;
- Grafana leaves a panel without a position to its frontend; phoenix-dash places it, and
  lays out legacy ``rows`` with its own layout rather than Grafana's v16 algorithm.
The figures are a floor: a change may raise them, never lower them unnoticed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from phoenix_dash.config import DatasourceRef
from phoenix_dash.errors import DefinitionError
from phoenix_dash.modern import ModernizeContext, modernize_dashboard
from tests.support.oracles import locate
from tests.support.project import require

GOLDENS = locate("grafana/goldens")
# Grafana's migration test datasources (apps/dashboard/pkg/migration/testutil), by uid and
# by name, as a project's phoenix-dash.yaml would name them.
MOCKED = {
    "default-ds-uid": ("prometheus", "Default Test Datasource Name"),
    "non-default-test-ds-uid": ("loki", "Non Default Test Datasource Name"),
    "existing-ref-uid": ("prometheus", "Existing Ref Name"),
    "existing-target-uid": ("elasticsearch", "Existing Target Name"),
    "existing-ref": ("prometheus", "Existing Ref Name"),
}
CTX = ModernizeContext(
    {key: DatasourceRef(kind, uid) for uid, (kind, name) in MOCKED.items() for key in (uid, name)},
    "default-ds-uid",
)
FLOOR = {"types": 178, "targets": 100, "thresholds": 167, "variables": 38, "refused": 15}
MISSING = (
    "Grafana's migration goldens not found (grafana/goldens in ../shared or "
    "$PHOENIX_DASH_SHARED); they are on the team's machines and in CI only"
)


def panels(dashboard: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    every = [p for top in dashboard.get("panels", []) for p in [top, *top.get("panels", [])]]
    return {p.get("id"): p for p in every if p.get("type") != "row"}


def uids(panel: dict[str, Any]) -> list[Any]:
    return [
        t["datasource"].get("uid") if isinstance(t.get("datasource"), dict) else t.get("datasource")
        for t in panel.get("targets", [])
    ]


def thresholds(panel: dict[str, Any]) -> Any:
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds")


def measure() -> tuple[Counter[str], list[str]]:
    """Agreements per field over every pair, and the inputs phoenix-dash refuses."""
    agree: Counter[str] = Counter()
    refused = []
    for pair in json.loads((GOLDENS / "pairs.json").read_text())["migration"]:
        source = json.loads((GOLDENS / pair["input"]).read_text())
        grafanas = json.loads((GOLDENS / pair["output"]).read_text())
        try:
            ours = modernize_dashboard(source, CTX)
        except DefinitionError:
            refused.append(pair["input"])
            continue
        mine = panels(ours)
        for key, theirs in panels(grafanas).items():
            found = mine.get(key, {})
            agree["types"] += found.get("type") == theirs.get("type")
            agree["targets"] += uids(found) == uids(theirs)
            agree["thresholds"] += thresholds(theirs) in (None, thresholds(found))
        names = [(v.get("name"), v.get("type")) for v in ours["templating"]["list"]]
        expected = [(v.get("name"), v.get("type")) for v in grafanas["templating"]["list"]]
        agree["variables"] += names == expected
    return agree, refused


@pytest.fixture(scope="module")
def measured() -> tuple[Counter[str], list[str]]:
    require((GOLDENS / "pairs.json").exists(), MISSING)
    return measure()


def test_every_input_is_modernised_or_refused_in_one_line(
    measured: tuple[Counter[str], list[str]],
) -> None:
    """No shape Grafana accepts makes the layer crash (it raised AttributeError and
    KeyError on some); what it refuses, it refuses as bad input."""
    _, refused = measured
    assert len(refused) <= FLOOR["refused"], refused


def test_agreement_with_grafanas_migration_stays_at_least_as_measured(
    measured: tuple[Counter[str], list[str]],
) -> None:
    agree, _ = measured
    below = {k: (agree[k], v) for k, v in FLOOR.items() if k != "refused" and agree[k] < v}
    assert below == {}, below
