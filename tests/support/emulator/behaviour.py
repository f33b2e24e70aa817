"""What a real Grafana 12/13 does to what it is sent (../shared/grafana/BEHAVIOR.md, section "What
Grafana does to what you send"), as pure functions the emulator's state applies.

Each behaviour carries the BEHAVIOR.md row it reproduces. All are on by default; a test may turn
one off (``emulator.quirks.discard("D2")``), never the suite. Nothing here imports phoenix-dash:
the emulator is an oracle, written from Grafana's source, not from the code under test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .jsoncopy import json_copy

JSON = dict[str, Any]

ROWS = frozenset(
    {
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
        "R6",
        "R7",
        "R8",
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "D6",
        "D7",
        "S1",
        "S2",
        "F1",
        # BEHAVIOR-ALERTING.md: notification resources (notifications.py) and rule groups.
        *(f"P{n}" for n in range(1, 31)),
    }
)


@dataclass
class Quirks:
    """Which rows are reproduced, and the server settings some of them depend on."""

    version: str = "13.2.0"
    rows: set[str] = field(default_factory=lambda: set(ROWS))
    min_refresh_interval: str = "5s"  # Grafana's default [dashboards] min_refresh_interval
    search_lag: float = 0.3  # seconds before a write shows in /api/search (D7, unified storage)
    # The next Grafana release adds a field with a default to every answer (tests only).
    future_field: tuple[str, Any] | None = None
    # Grafana's feature flags that are on (all off by default, as in Grafana), e.g.
    # libraryelementsKubernetesLibraryPanels (BEHAVIOR-ALERTING.md L9).
    feature_flags: set[str] = field(default_factory=set)

    def __contains__(self, row: str) -> bool:
        return row in self.rows

    def discard(self, row: str) -> None:
        self.rows.discard(row)

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


# --- R3: Prometheus durations (github.com/prometheus/common/model.Duration) ------------------

UNITS_MS = {
    "y": 365 * 86_400_000,
    "w": 7 * 86_400_000,
    "d": 86_400_000,
    "h": 3_600_000,
    "m": 60_000,
    "s": 1000,
    "ms": 1,
}
DURATION_RE = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?"
    r"(?:(\d+)ms)?$"
)


def parse_duration(text: str) -> int | None:
    """Milliseconds, or None when ``text`` is not a Prometheus duration."""
    match = DURATION_RE.match(text)
    if text in ("", "0") or match is None:
        return 0 if text == "0" else None
    units = ("y", "w", "d", "h", "m", "s", "ms")
    return sum(int(v) * UNITS_MS[u] for v, u in zip(match.groups(), units, strict=True) if v)


def format_duration(ms: int) -> str:
    """model.Duration.String(): largest units first; years and weeks only when exact."""
    if ms == 0:
        return "0s"
    out = ""
    for unit, exact in (
        ("y", True),
        ("w", True),
        ("d", False),
        ("h", False),
        ("m", False),
        ("s", False),
        ("ms", False),
    ):
        mult = UNITS_MS[unit]
        if exact and ms % mult:
            continue
        if ms // mult:
            out += f"{ms // mult}{unit}"
            ms -= ms // mult * mult
    return out


# --- alert rules -----------------------------------------------------------------------------


def stored_rule(rule: JSON, quirks: Quirks) -> JSON:
    """The rule as Grafana stores it (R2 query defaults, R3 durations)."""
    rule = json_copy(rule)
    if "R3" in quirks:
        for key in ("for", "keep_firing_for"):
            ms = parse_duration(str(rule.get(key) or "0s"))
            if ms is not None:
                rule[key] = format_duration(ms)
    if "R2" in quirks:
        for query in rule.get("data") or []:
            model = query.setdefault("model", {})
            model.setdefault("maxDataPoints", 43200)
            model.setdefault("intervalMs", 1000)
    return rule


def rule_answer(rule: JSON, quirks: Quirks, with_provenance: bool = True) -> JSON:
    """A stored rule as a GET answers it (R1 fields always present, R4 no provenance in
    groups; an empty provenance is omitted, as Go's omitempty does)."""
    answer = {k: json_copy(v) for k, v in rule.items() if not k.startswith("__")}
    if "R1" in quirks:
        answer.setdefault("keep_firing_for", "0s")
        answer.setdefault("notification_settings", None)
        answer.setdefault("record", None)
    provenance = answer.pop("provenance", "")
    if provenance and (with_provenance or "R4" not in quirks):
        answer["provenance"] = provenance
    return with_future_field(answer, quirks)


def with_future_field(answer: JSON, quirks: Quirks) -> JSON:
    if quirks.future_field is not None:
        name, default = quirks.future_field
        answer.setdefault(name, json_copy(default))
    return answer


def rule_changed(stored: JSON, incoming: JSON) -> bool:
    """Whether a group PUT changes a rule (R5: an unchanged rule is not written at all)."""
    volatile = ("id", "updated", "provenance", "orgID")
    return {k: v for k, v in stored.items() if k not in volatile} != {
        k: v for k, v in incoming.items() if k not in volatile
    }


def dashboard_panel_annotations_error(rule: JSON) -> str | None:
    """R7: a rule names a dashboard and a panel together or neither."""
    annotations = rule.get("annotations") or {}
    if ("__dashboardUid__" in annotations) != ("__panelId__" in annotations):
        return "both annotations __dashboardUid__ and __panelId__ must be specified"
    return None


def can_update_provenance_in_group(stored: str, provided: str) -> bool:
    """CanUpdateProvenanceInRuleGroup (pkg/services/ngalert/api/.../validation)."""
    return stored == provided or stored == "" or (stored == "api" and provided == "")


def provenance_mismatch(operation: str, provided: str, stored: str) -> JSON:
    """R8: errProvenanceMismatch, a 409 with Grafana's errutil body."""
    return {
        "statusCode": 409,
        "messageId": "alerting.provenanceMismatch",
        "message": f"cannot {operation} with provided provenance '{provided}', needs '{stored}'",
    }


# --- dashboards --------------------------------------------------------------------------------

PANEL_DEFAULTS: JSON = {
    "gridPos": {"x": 0, "y": 0, "h": 3, "w": 6},
    "targets": [{"refId": "A"}],
    "transparent": False,
    "options": {},
    "links": [],
    "fieldConfig": {"defaults": {}, "overrides": []},
    "title": "",
}


def saved_dashboard(dashboard: JSON, quirks: Quirks) -> JSON:
    """The dashboard as a save stores it: D3 always, D2 from Grafana 13 on."""
    if "D3" in quirks:
        if isinstance(dashboard.get("title"), str):
            dashboard["title"] = dashboard["title"].strip()
        refresh = dashboard.get("refresh")
        minimum = parse_duration(quirks.min_refresh_interval) or 0
        if isinstance(refresh, str) and refresh:
            ms = parse_duration(refresh)
            if ms is not None and ms < minimum:
                dashboard["refresh"] = quirks.min_refresh_interval
    if "D2" in quirks and quirks.major >= 13:
        migrate_on_save(dashboard)
    return dashboard


def migrate_on_save(dashboard: JSON) -> None:
    """D2: the dashboard.grafana.app admission step (apps/dashboard/pkg/migration,
    frontend_defaults.go): dashboard defaults, panels sorted by gridPos, duplicate panel ids
    renumbered, panel keys equal to their defaults dropped."""
    dashboard.setdefault("weekStart", "")
    dashboard.setdefault("fiscalYearStartMonth", 0)
    panels = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    panels.sort(key=lambda p: (p.get("gridPos", {}).get("y", 0), p.get("gridPos", {}).get("x", 0)))
    if "panels" in dashboard:
        dashboard["panels"] = panels
    every = [p2 for p in panels for p2 in [p, *(p.get("panels") or [])] if isinstance(p2, dict)]
    seen: set[int] = set()
    next_id = max([int(p["id"]) for p in every if isinstance(p.get("id"), int)] or [0]) + 1
    for panel in every:
        if isinstance(panel.get("id"), int) and panel["id"] > 0 and panel["id"] not in seen:
            seen.add(panel["id"])
        else:
            panel["id"] = next_id
            next_id += 1
    for panel in panels:
        for key, default in PANEL_DEFAULTS.items():
            if key in panel and panel[key] == default:
                del panel[key]
        if panel.get("transformations") == []:
            del panel["transformations"]


def version_list_message(
    message: str, parent_version: int, restored_from: int, quirks: Quirks
) -> str:
    """D1: what GET .../versions shows as a version's message."""
    if "D1" not in quirks:
        return message
    if restored_from:
        return f"Restored from version {restored_from}"
    if parent_version == 0:
        return "Initial save"
    return message


def v2_not_supported(uid: str) -> JSON:
    """D5: the legacy GET of a dashboard stored as v2 (pkg/api/dashboard.go)."""
    return {
        "message": "dashboard api version not supported, use "
        f"/apis/dashboard.grafana.app/v2/namespaces/default/dashboards/{uid} "
        "instead"
    }
