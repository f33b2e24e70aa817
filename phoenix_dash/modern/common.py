"""Small helpers shared by the modernisation passes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import DefinitionError, Location
from ..provenance import stamped_at

JSON = dict[str, Any]


def drop_nulls(value: Any) -> Any:
    """grafanalib writes None for every unset attribute; Grafana's schema wants the key absent.

    Returns a copy, so the passes after it may modify freely."""
    kind = type(value)
    if kind is dict:
        return {
            k: v if type(v) not in CONTAINERS else drop_nulls(v)
            for k, v in value.items()
            if v is not None
        }
    if kind is list:
        return [v if type(v) not in CONTAINERS else drop_nulls(v) for v in value if v is not None]
    return value


CONTAINERS = (dict, list)


def fail(obj: JSON, message: str, fallback: Location | None = None) -> DefinitionError:
    """An error located at the Python line that built ``obj``."""
    return DefinitionError(message, stamped_at(obj) or fallback)


def pop_keys(obj: JSON, *keys: str) -> None:
    for key in keys:
        obj.pop(key, None)


def drop_if(obj: JSON, key: str, *defaults: Any) -> None:
    """Drop ``key`` when it holds one of grafanalib's always-written defaults."""
    if key in obj and any(obj[key] == d and type(obj[key]) is type(d) for d in defaults):
        del obj[key]


def describe(panel: JSON) -> str:
    title = panel.get("title")
    return f"panel {title!r}" if title else f"{panel.get('type', 'untyped')} panel"


# Where Grafana puts a panel whose gridPos (or a key of it) is left out, as Grafana 13's save
# does for the default (D2): the frontend's panel defaults (PanelModel, frontend_defaults.go).
PANEL_GRID_DEFAULTS = {"x": 0, "y": 0, "w": 6, "h": 3}


def every_panel(dashboard: JSON) -> Iterator[JSON]:
    """Each panel of a v1 dashboard: the top-level ones (rows included) and those inside
    collapsed rows, in order."""
    for panel in dashboard.get("panels") or []:
        if isinstance(panel, dict):
            yield panel
            yield from (p for p in panel.get("panels") or [] if isinstance(p, dict))


def panel_key(panel: JSON) -> Any:
    """How a panel is matched between two versions of a dashboard: its id, else its title."""
    return panel.get("id", panel.get("title"))


def panels_by_key(dashboard: JSON) -> dict[Any, JSON]:
    return {panel_key(panel): panel for panel in every_panel(dashboard)}
