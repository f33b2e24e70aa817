"""Stable panel ids.

grafanalib numbers panels 1, 2, 3... in order, so inserting one renumbers every panel after
it, breaking links (``viewPanel=``), alert rules' panel ids and the PR diff. We derive each id
from the panel's place by name instead: the row title, the panel title and, for equal titles in
one row, the occurrence number. An id the author set explicitly is kept.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from .common import JSON, describe, fail

ID_SPACE = 2**31 - 1  # Grafana's frontend and JSON consumers treat ids as 32-bit ints


def panel_key(panel: JSON, row_title: str | None, occurrence: int) -> str:
    name = panel.get("title") or f"<{panel.get('type', 'panel')}>"
    base = f"row:{name}" if panel.get("type") == "row" else f"{row_title or ''}/{name}"
    return base if occurrence == 0 else f"{base}#{occurrence}"


def derived_id(key: str) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % ID_SPACE


def assign_ids(items: list[JSON], renumber: bool = False) -> None:
    """Give every panel and row in ``items`` (children still nested in rows) an id. Two
    panels with one explicit id are an error, unless ``renumber`` (a dashboard Grafana
    saved): then it is numbered as Grafana numbers it."""
    if renumber:
        _number_as_grafana(items)
        return
    # Plain functions, not closures: a recursive closure is a reference cycle, which keeps
    # every panel alive while the build pauses the cyclic collector (workers.paused_gc).
    _derive_ids(items, None, {})


def _derive_ids(panels: list[JSON], row_title: str | None, owners: dict[int, JSON]) -> None:
    counts: Counter[str] = Counter()
    for panel in panels:
        base = panel_key(panel, row_title, 0)
        occurrence = counts[base]
        counts[base] += 1
        panel_id = _explicit_id(panel) or derived_id(panel_key(panel, row_title, occurrence))
        other = owners.get(panel_id)
        if other is not None:
            raise fail(
                panel,
                f"{describe(panel)}: panel id {panel_id} is also used by "
                f"{describe(other)}; set an explicit id on one of them",
            )
        owners[panel_id] = panel
        panel["id"] = panel_id
        if panel.get("type") == "row":
            _derive_ids(panel.get("panels", []), panel.get("title") or "", owners)


def _number_as_grafana(items: list[JSON]) -> None:
    """Grafana's frontend (ensurePanelsHaveUniqueIds) and backend migration: a panel keeps
    its id unless an earlier one has it; a panel without one, or a later holder of a taken
    one, gets the highest id in the dashboard plus one, in the order they come."""
    every = [p for item in items for p in (item, *item.get("panels", []))]
    highest = max((_explicit_id(p) or 0 for p in every), default=0)
    taken: set[int] = set()
    for panel in every:
        panel_id = _explicit_id(panel)
        if panel_id is None or panel_id in taken:
            highest += 1
            panel_id = highest
        taken.add(panel_id)
        panel["id"] = panel_id


def _explicit_id(panel: JSON) -> int | None:
    value = panel.get("id")
    valid = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if valid else None


def panel_id(title: str, row: str | None = None, occurrence: int = 0) -> int:
    """The id a panel titled ``title`` (in the row titled ``row``) gets, for alert rules that
    link to it. The build checks that the panel exists."""
    return derived_id(panel_key({"title": title}, row, occurrence))
