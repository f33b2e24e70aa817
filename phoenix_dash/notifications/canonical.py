"""Notification resources in one canonical form, whether built here or read from Grafana, so
that what Grafana does to what it stores (BEHAVIOR-ALERTING.md) never reads as a change:
secrets become "set" (Grafana reads them back as "[REDACTED]"), matchers of every form become
one sorted list, durations are compared as durations, an absent list is an empty one, and
templates are wrapped as Grafana wraps them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..quantities import format_duration, parse_duration
from .definitions import SECRET_KEYS, stored_template
from .routing import _matchers

JSON = dict[str, Any]
SECRET_SET = "(secret, set)"  # what a secret reads as on either side: values are write-only
REDACTED = "[REDACTED]"
TIMERS = ("group_wait", "group_interval", "repeat_interval")
INTERVAL_KEYS = ("mute_time_intervals", "active_time_intervals")


def contact_point(body: Mapping[str, Any], secret_keys: tuple[str, ...] = ()) -> JSON:
    """A contact point as the provisioning API shows it (or a built one, whose
    ``secret_keys`` are set): every secret only as set."""
    kind = str(body.get("type") or "")
    settings = dict(body.get("settings") or {})
    for key in (*secret_keys, *SECRET_KEYS.get(kind, ())):
        if key in settings and settings[key] not in (None, ""):
            settings[key] = SECRET_SET
    for key, value in settings.items():
        if value == REDACTED:
            settings[key] = SECRET_SET
    return {
        "name": body.get("name"),
        "type": kind,
        "settings": settings,
        "disableResolveMessage": bool(body.get("disableResolveMessage")),
    }


def mute_timing(body: Mapping[str, Any]) -> JSON:
    return {"name": body.get("name"), "time_intervals": list(body.get("time_intervals") or [])}


def template(name: str, text: str) -> JSON:
    return {"name": name, "template": stored_template(name, text)}


def selector(route: Mapping[str, Any]) -> list[list[str]]:
    """A route's matchers, whichever form they are written in, sorted: how phoenix-dash
    finds its own route among the top-level routes of a shared tree."""
    found = {(m.name, m.operator, m.value) for m in _matchers(route, "route")}
    return [list(m) for m in sorted(found)]


def route(data: Mapping[str, Any]) -> JSON:
    """A route and its children as Grafana means them: absent, null, false and empty are
    alike, durations are durations ("24h" is Grafana's "1d")."""
    out: JSON = {}
    matchers = selector(data)
    if matchers:
        out["matchers"] = matchers
    for key in ("receiver", "group_by", *INTERVAL_KEYS):
        if data.get(key):
            out[key] = data[key]
    if data.get("continue"):
        out["continue"] = True
    for key in TIMERS:
        if data.get(key):
            out[key] = format_duration(parse_duration(str(data[key])))
    children = [route(child) for child in data.get("routes") or []]
    if children:
        out["routes"] = children
    return out


def tree_lines(data: Mapping[str, Any], depth: int = 0) -> list[str]:
    """A route and its children as indented lines, for people reading a change to the
    policy tree: matchers, then where alerts go and what the route sets."""
    canonical = route(data)
    matchers = ", ".join(f"{n}{op}{_quoted(v)}" for n, op, v in canonical.get("matchers", []))
    settings = [
        f"{key} {_shown(canonical[key])}"
        for key in ("group_by", *TIMERS, *INTERVAL_KEYS, "continue")
        if key in canonical
    ]
    line = (
        f"{'  ' * depth}{matchers or '(every alert)'} -> {canonical.get('receiver', '(inherited)')}"
    )
    if settings:
        line += f" ({'; '.join(settings)})"
    lines = [line]
    for child in data.get("routes") or []:
        lines += tree_lines(child, depth + 1)
    return lines


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "yes" if value is True else str(value)
