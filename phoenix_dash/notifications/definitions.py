"""notifications.yaml: contact points, message templates, mute timings and the project's own
subtree of the notification policy tree, read and checked with file:line errors.

YAML rather than Python: grafanalib has no classes for any of these, and the file reads like
what Grafana's file provisioning and Alertmanager's configuration already use, so a reviewer
sees the routing tree as a tree. Secrets are ``{env: VARIABLE}`` (as in datasources.yaml),
read only when written to Grafana; a secret written as its value is refused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location
from ..filenames import safe_stem
from ..yamlconf import PathItems, YamlDocument, dotted, load_yaml, validate_bundled
from .routing import Route, RouteError, read_tree

JSON = dict[str, Any]
# The settings of each contact point type that are secrets (Grafana stores them encrypted
# and reads them back as "[REDACTED]"): written {env: VARIABLE} here.
SECRET_KEYS = {
    "slack": ("url",),
    "pagerduty": ("integrationKey",),
    "webhook": ("password", "authorization_credentials"),
}
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
DEFINE = re.compile(r"\{\{-?\s*define\b")


@dataclass(frozen=True)
class ContactPoint:
    uid: str
    name: str
    type: str
    settings: JSON  # without the secrets
    secrets: Mapping[str, str]  # setting -> environment variable
    disable_resolve_message: bool
    location: Location


@dataclass(frozen=True)
class MuteTiming:
    name: str
    time_intervals: list[JSON]  # as Grafana stores them (numeric months, lowercase days)
    location: Location


@dataclass(frozen=True)
class Notifications:
    file: str
    contact_points: list[ContactPoint] = field(default_factory=list)
    templates: dict[str, str] = field(default_factory=dict)  # name -> text as Grafana stores it
    mute_timings: list[MuteTiming] = field(default_factory=list)
    policy: JSON | None = None  # the project's subtree, as written
    tree: Route | None = None  # the subtree under a root that takes what it does not
    # policies.routing_tree: the policies go to a routing tree of this name of their own
    # (Grafana 13.1+), not to a route of the shared default tree.
    routing_tree: str | None = None

    def receivers(self, labels: Mapping[str, str]) -> list[Route]:
        """The routes an alert with ``labels`` is delivered by (``routing.Route.match``)."""
        return self.tree.match(labels) if self.tree is not None else []


def load_notifications(path: Path, display: str | None = None) -> Notifications:
    doc = load_yaml(path, display)
    _refuse_secret_literals(doc)  # before the schema, whose messages would quote the value
    validate_bundled(doc, "notifications.schema.json")
    data = doc.data or {}
    contact_points = _contact_points(doc, data.get("contact_points") or [])
    mute_timings = _mute_timings(doc, data.get("mute_timings") or [])
    templates = {
        name: stored_template(name, text) for name, text in (data.get("templates") or {}).items()
    }
    policy = data.get("policies")
    tree = None
    if policy is not None:
        tree = _tree(doc, policy, {c.name for c in contact_points}, {m.name for m in mute_timings})
    routing_tree = str(policy["routing_tree"]) if policy and policy.get("routing_tree") else None
    return Notifications(
        doc.file, contact_points, templates, mute_timings, policy, tree, routing_tree
    )


def stored_template(name: str, text: str) -> str:
    """A template as Grafana stores it: trimmed, and wrapped in ``{{ define "name" }}`` with
    each line indented by two spaces when it defines nothing itself (Grafana's
    NotificationTemplate.Validate), so the two compare equal."""
    text = text.strip()
    if DEFINE.search(text):
        return text
    body = "\n".join(f"  {line}" for line in text.split("\n"))
    return f'{{{{ define "{name}" }}}}\n{body}\n{{{{ end }}}}'


def _contact_points(doc: YamlDocument, items: list[JSON]) -> list[ContactPoint]:
    found: list[ContactPoint] = []
    seen: dict[str, dict[str, int]] = {"uid": {}, "name": {}}
    for index, item in enumerate(items):
        where: list[str | int] = ["contact_points", index]
        uid = str(item.get("uid") or safe_stem(item["name"], "contact-point")[:40])
        for key, value in (("uid", uid), ("name", item["name"])):
            if value in seen[key]:
                first = doc.line_of(["contact_points", seen[key][value]])
                raise doc.error(
                    [*where, key if key in item else "name"],
                    (f"contact point {key} {value!r} is also used at line {first}"),
                )
            seen[key][value] = index
        secret_keys = SECRET_KEYS[item["type"]]
        settings = {k: v for k, v in item["settings"].items() if k not in secret_keys}
        secrets = {k: v["env"] for k, v in item["settings"].items() if k in secret_keys}
        found.append(
            ContactPoint(
                uid,
                item["name"],
                item["type"],
                settings,
                secrets,
                bool(item.get("disable_resolve_message", False)),
                doc.location(where),
            )
        )
    return found


def _mute_timings(doc: YamlDocument, items: list[JSON]) -> list[MuteTiming]:
    found: list[MuteTiming] = []
    names: set[str] = set()
    for index, item in enumerate(items):
        where: list[str | int] = ["mute_timings", index]
        if item["name"] in names:
            raise doc.error([*where, "name"], f"mute timing {item['name']!r} is defined twice")
        names.add(item["name"])
        intervals = [
            _interval(doc, [*where, "time_intervals", number], interval)
            for number, interval in enumerate(item["time_intervals"])
        ]
        found.append(MuteTiming(item["name"], intervals, doc.location(where)))
    return found


def _interval(doc: YamlDocument, where: list[str | int], interval: JSON) -> JSON:
    """An interval in the form Grafana stores (its YAML round trip): weekdays lower-case,
    months as numbers; each range checked as Alertmanager checks it."""
    out: JSON = {}
    for number, span in enumerate(interval.get("times") or []):
        if span["start_time"] >= span["end_time"]:  # "HH:MM" compares as the time does
            raise doc.error(
                [*where, "times", number],
                (f"{span['start_time']} to {span['end_time']}: the end must come after the start"),
            )
    if "times" in interval:
        out["times"] = [dict(t) for t in interval["times"]]
    for key, names in (("weekdays", WEEKDAYS), ("months", MONTHS)):
        if key in interval:
            out[key] = [
                _named_range(doc, [*where, key, i], text, names, numbers=key == "months")
                for i, text in enumerate(interval[key])
            ]
    for key, low, high in (("days_of_month", -31, 31), ("years", 1, 9999)):
        if key in interval:
            out[key] = [
                _number_range(doc, [*where, key, i], text, low, high)
                for i, text in enumerate(interval[key])
            ]
    if "location" in interval:
        import zoneinfo  # here: most projects' mute timings name no time zone

        try:
            zoneinfo.ZoneInfo(interval["location"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise doc.error(
                [*where, "location"],
                (f"unknown time zone {interval['location']!r} (an IANA name such as Europe/Paris)"),
            ) from None
        out["location"] = interval["location"]
    return out


def _named_range(
    doc: YamlDocument,
    where: PathItems,
    text: str,
    names: tuple[str, ...] | list[str],
    numbers: bool,
) -> str:
    ends = [part.strip().lower() for part in str(text).split(":")]
    if len(ends) > 2:
        raise doc.error(where, f"{text!r} is not a name or a range such as a:b")
    indices = []
    for end in ends:
        if end.isdigit() and numbers and 1 <= int(end) <= 12:
            indices.append(int(end))
        elif end in names:
            indices.append(names.index(end) + (1 if numbers else 0))
        else:
            raise doc.error(where, f"{end!r} is not one of {', '.join(names)}")
    if len(indices) == 2 and indices[0] > indices[1]:
        raise doc.error(where, f"{text!r}: the range ends before it starts")
    shown = [str(i) if numbers else names[i] for i in indices]
    return shown[0] if len(set(shown)) == 1 else ":".join(shown)


def _number_range(doc: YamlDocument, where: PathItems, text: str, low: int, high: int) -> str:
    ends = str(text).split(":")
    try:
        values = [int(end) for end in ends]
    except ValueError:
        raise doc.error(where, f"{text!r} is not a number or a range such as 1:5") from None
    if len(values) > 2 or any(not low <= v <= high or v == 0 for v in values):
        raise doc.error(where, f"{text!r} is outside {low} to {high}")
    return ":".join(str(v) for v in values)


def _tree(doc: YamlDocument, policy: JSON, receivers: set[str], timings: set[str]) -> Route:
    """The subtree under a root that sends what it does not select to its own receiver
    (what an Alertmanager that runs only this project's alerts would do)."""
    if "receiver" not in policy:
        raise doc.error(["policies"], "the project's policy needs a receiver (its default)")
    _check_names(doc, ["policies"], policy, receivers, timings)
    try:
        return read_tree(root_route(policy))
    except RouteError as exc:
        raise doc.error(_yaml_path(exc.path), exc.message) from None


def root_route(policy: JSON) -> JSON:
    """The project's subtree under a root that sends what it does not select to the
    policy's own receiver, grouped alike: the tree an Alertmanager that runs only this
    project's alerts has, and the one ``route`` answers from."""
    root: JSON = {"receiver": policy["receiver"], "routes": [policy]}
    if "group_by" in policy:
        root["group_by"] = list(policy["group_by"])
    return root


def _check_names(
    doc: YamlDocument, where: list[str | int], route: JSON, receivers: set[str], timings: set[str]
) -> None:
    """Every receiver and time interval a route names must be defined here: Grafana and
    Alertmanager refuse the tree otherwise. A routing tree is named at the top only."""
    if "routing_tree" in route and where != ["policies"]:
        raise doc.error([*where, "routing_tree"], "only the top of policies names a routing tree")
    if "receiver" in route and route["receiver"] not in receivers:
        known = ", ".join(sorted(receivers)) or "none"
        raise doc.error(
            [*where, "receiver"],
            (f"no contact point is named {route['receiver']!r} (contact_points: {known})"),
        )
    for key in ("mute_time_intervals", "active_time_intervals"):
        for index, name in enumerate(route.get(key) or []):
            if name not in timings:
                known = ", ".join(sorted(timings)) or "none"
                raise doc.error(
                    [*where, key, index],
                    (f"no mute timing is named {name!r} (mute_timings: {known})"),
                )
    for index, child in enumerate(route.get("routes") or []):
        _check_names(doc, [*where, "routes", index], child, receivers, timings)


def written_at(route: Route) -> str:
    """Where in notifications.yaml a route of ``Notifications.tree`` is written
    (``policies.routes[0]``); the root stands for the policy's default receiver."""
    if route.path == "route":
        return "policies.receiver (not selected by policies.matchers)"
    return dotted(_yaml_path(route.path))


def _yaml_path(route_path: str) -> list[str | int]:
    """``route.routes[0].matchers[1]`` (the subtree under its root) as the YAML key path
    ``policies.matchers[1]``."""
    inner = route_path.removeprefix("route.routes[0]")
    items: list[str | int] = ["policies"]
    for name, number in re.findall(r"\.?([a-z_]+)|\[(\d+)\]", inner):
        items.append(int(number) if number else name)
    return items


def _refuse_secret_literals(doc: YamlDocument) -> None:
    """A secret written as its value would land in the committed build/: refused without
    quoting it."""
    items = doc.data.get("contact_points") if isinstance(doc.data, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("settings"), dict):
            continue
        for key in SECRET_KEYS.get(str(item.get("type")), ()):
            value = item["settings"].get(key)
            if value is not None and not isinstance(value, dict):
                raise doc.error(
                    ["contact_points", index, "settings", key],
                    "is a secret: write it {env: VARIABLE}, never its value",
                )
