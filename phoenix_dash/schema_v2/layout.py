"""v1 panel positions -> a v2 layout: a GridLayout of the panels, or, when the dashboard
has row panels, a RowsLayout whose rows hold GridLayouts (panels before the first row go
into a row with a hidden header). Positions inside a row are relative to the row, as
Grafana's converter computes them."""

from __future__ import annotations

from collections.abc import Callable

from .common import JSON, flag, number, text

ROW_HEIGHT = 1  # a v1 row panel's height in grid units
Element = Callable[[JSON], str | None]  # adds a panel's element, returns its name


def layout(panels: list[JSON], add_element: Element) -> JSON:
    if any(text(p, "type") == "row" for p in panels):
        return _rows(panels, add_element)
    items = [_item(p, name, None) for p in panels if (name := add_element(p)) is not None]
    return _grid(items)


def _grid(items: list[JSON]) -> JSON:
    return {"kind": "GridLayout", "spec": {"items": items}}


def _rows(panels: list[JSON], add_element: Element) -> JSON:
    rows: list[JSON] = []
    current: JSON | None = None
    row_y = 0
    for panel in panels:
        if text(panel, "type") == "row":
            if isinstance(panel.get("gridPos"), dict):  # else the previous row's y holds
                row_y = number(panel["gridPos"], "y")
            if current is not None:
                rows.append(current)
            inside = [p for p in panel.get("panels") or [] if isinstance(p, dict)]
            items = [
                _item(p, name, _y_in_row(p, row_y))
                for p in inside
                if (name := add_element(p)) is not None
            ]
            current = _row(panel, items)
            continue
        name = add_element(panel)
        if name is None:
            continue
        if current is None:  # panels above the first row: a row without a header
            row_y = -1
            current = {
                "kind": "RowsLayoutRow",
                "spec": {"title": "", "collapse": False, "hideHeader": True, "layout": _grid([])},
            }
            current["spec"]["layout"]["spec"]["items"].append(_item(panel, name, 0))
            continue
        current["spec"]["layout"]["spec"]["items"].append(
            _item(panel, name, _y_in_row(panel, row_y))
        )
    if current is not None:
        rows.append(current)
    return {"kind": "RowsLayout", "spec": {"rows": rows}}


def _row(panel: JSON, items: list[JSON]) -> JSON:
    spec: JSON = {
        "title": text(panel, "title"),
        "collapse": flag(panel, "collapsed"),
        "layout": _grid(items),
    }
    if text(panel, "repeat"):
        spec["repeat"] = {"mode": "variable", "value": text(panel, "repeat")}
    return {"kind": "RowsLayoutRow", "spec": spec}


def _y_in_row(panel: JSON, row_y: int) -> int:
    grid = panel.get("gridPos")
    return number(grid, "y") - row_y - ROW_HEIGHT if isinstance(grid, dict) else 0


def _item(panel: JSON, name: str, y: int | None) -> JSON:
    grid = panel.get("gridPos") if isinstance(panel.get("gridPos"), dict) else {}
    assert isinstance(grid, dict)
    spec: JSON = {
        "x": number(grid, "x"),
        "y": number(grid, "y") if y is None else y,
        "width": number(grid, "w", 6),
        "height": number(grid, "h", 3),
        "element": {"kind": "ElementReference", "name": name},
    }
    repeat = repeat_options(panel)
    if repeat is not None:
        spec["repeat"] = repeat
    return {"kind": "GridLayoutItem", "spec": spec}


def repeat_options(panel: JSON) -> JSON | None:
    if not text(panel, "repeat"):
        return None
    repeat: JSON = {"mode": "variable", "value": text(panel, "repeat")}
    if text(panel, "repeatDirection") in ("h", "v"):
        repeat["direction"] = text(panel, "repeatDirection")
    if number(panel, "maxPerRow") > 0:
        repeat["maxPerRow"] = number(panel, "maxPerRow")
    return repeat
