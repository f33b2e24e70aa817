"""A notification policy tree and the answer to "who gets this alert", as Alertmanager gives
it (dispatch/route.go, which Grafana's Alertmanager runs too): the tree is searched depth
first, left to right; a route matches when all its matchers do; the first child that matches
stops the search among its siblings unless it says ``continue``; a route none of whose
children match is itself the answer. Children inherit the receiver, the grouping and the
timers; mute and active time intervals are a route's own.

Trees are read in Alertmanager's form (``alertmanager.yml``'s ``route``: ``matchers`` as
strings, the older ``match`` and ``match_re``) and Grafana's (``object_matchers`` as
[name, operator, value])."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .matchers import Matcher, MatcherError, all_match

GROUP_BY_ALL = "..."
DEFAULT_TIMERS = {"group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}


class RouteError(ValueError):
    """A tree that cannot be read; ``path`` says where (``route.routes[1].matchers[0]``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Route:
    """One node, with what it inherited already applied."""

    path: str  # where it is written: "route", "route.routes[0]", ...
    matchers: tuple[Matcher, ...]
    receiver: str
    group_by: tuple[str, ...] | None  # None: every label (group_by: ["..."])
    timers: Mapping[str, str]
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    continues: bool = False
    routes: tuple[Route, ...] = field(default=())

    def match(self, labels: Mapping[str, str]) -> list[Route]:
        """The routes an alert with ``labels`` is delivered by, in the tree's order (none
        when this route's own matchers do not match)."""
        if not all_match(self.matchers, labels):
            return []
        found: list[Route] = []
        for child in self.routes:
            matched = child.match(labels)
            found += matched
            if matched and not child.continues:
                break
        return found or [self]


def receivers(tree: Route, labels: Mapping[str, str]) -> list[str]:
    """The receivers an alert reaches, in order, as ``amtool config routes test`` prints
    them (a receiver reached by two routes is named twice)."""
    return [route.receiver for route in tree.match(labels)]


def read_tree(data: Mapping[str, Any], path: str = "route") -> Route:
    """The tree whose root is ``data``. The root matches every alert: its matchers, if
    any, are refused, as Alertmanager refuses them."""
    if not isinstance(data, Mapping):
        raise RouteError(path, "a route is a mapping")
    if _matchers(data, path):
        raise RouteError(path, "the root route must not have matchers: it takes every alert")
    if not data.get("receiver"):
        raise RouteError(path, "the root route needs a receiver (the default one)")
    return _route(data, path, None)


def _route(data: Mapping[str, Any], path: str, parent: Route | None) -> Route:
    if not isinstance(data, Mapping):
        raise RouteError(path, "a route is a mapping")
    receiver = str(data.get("receiver") or (parent.receiver if parent else ""))
    group_by: tuple[str, ...] | None = parent.group_by if parent else ()
    if data.get("group_by") is not None:
        names = tuple(str(name) for name in data["group_by"])
        group_by = None if GROUP_BY_ALL in names else names
    timers = dict(parent.timers if parent else DEFAULT_TIMERS)
    timers.update({key: str(data[key]) for key in DEFAULT_TIMERS if data.get(key) is not None})
    node = Route(
        path,
        _matchers(data, path),
        receiver,
        group_by,
        timers,
        tuple(str(n) for n in data.get("mute_time_intervals") or ()),
        tuple(str(n) for n in data.get("active_time_intervals") or ()),
        bool(data.get("continue", False)),
    )
    children = data.get("routes") or []
    if not isinstance(children, Sequence) or isinstance(children, str):
        raise RouteError(f"{path}.routes", "a list of routes")
    routes = tuple(_route(child, f"{path}.routes[{i}]", node) for i, child in enumerate(children))
    return replace(node, routes=routes)


def _matchers(data: Mapping[str, Any], path: str) -> tuple[Matcher, ...]:
    """Every matcher a route writes, in any of the three forms (Alertmanager sorts them,
    which changes nothing: all must match)."""
    found: list[Matcher] = []
    try:
        for name, value in (data.get("match") or {}).items():
            found.append(Matcher.of(str(name), "=", str(value)))
        for name, value in (data.get("match_re") or {}).items():
            found.append(Matcher.of(str(name), "=~", str(value)))
    except MatcherError as exc:
        raise RouteError(path, str(exc)) from None
    for index, text in enumerate(data.get("matchers") or []):
        try:
            found.append(Matcher.parse(str(text)))
        except MatcherError as exc:
            raise RouteError(f"{path}.matchers[{index}]", str(exc)) from None
    for index, triple in enumerate(data.get("object_matchers") or []):
        where = f"{path}.object_matchers[{index}]"
        if not (isinstance(triple, Sequence) and len(triple) == 3):
            raise RouteError(where, "an object matcher is [name, operator, value]")
        name, operator, value = (str(part) for part in triple)
        if operator not in ("=", "!=", "=~", "!~"):
            raise RouteError(where, f"unknown operator {operator!r} (=, !=, =~ or !~)")
        try:
            found.append(Matcher.of(name, operator, value))
        except MatcherError as exc:
            raise RouteError(where, str(exc)) from None
    return tuple(found)
