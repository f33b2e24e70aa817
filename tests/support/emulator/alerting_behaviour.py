"""What Grafana 12/13 does to notification resources it is sent (../shared/grafana/
BEHAVIOR-ALERTING.md, rows P1-P25), as pure functions the emulator's state applies. Written from
Grafana's source as that file quotes it; nothing here imports phoenix-dash."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

import orjson

from .behaviour import format_duration, parse_duration
from .jsoncopy import json_copy

JSON = dict[str, Any]
Problem = str | None

# channels_config.GetSecretKeysForContactPointType, for the types the emulator knows (P4).
SECRET_KEYS = {
    "slack": ("url", "token"),
    "pagerduty": ("integrationKey",),
    "webhook": (
        "password",
        "authorization_credentials",
        "hmacConfig.secret",
        "tlsConfig.caCertificate",
        "tlsConfig.clientCertificate",
        "tlsConfig.clientKey",
    ),
    "email": (),
}
REDACTED = "[REDACTED]"
DEFAULT_RECEIVER = "grafana-default-email"
DEFAULT_EMAIL_UID = "grafana-default-email-uid"
UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")


def error(status: int, message_id: str, message: str) -> tuple[int, JSON]:
    """An errutil error's body."""
    return status, {"statusCode": status, "messageId": message_id, "message": message}


def fingerprint(value: Any) -> str:
    """A 16-hex-digit FNV-64a of ``value`` (Grafana's versions of templates, mute timings)."""
    digest = 0xCBF29CE484222325
    for byte in orjson.dumps(value, option=orjson.OPT_SORT_KEYS):
        digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


# --- contact points (P4-P7) ----------------------------------------------------------------


def _pop_path(settings: JSON, dotted: str) -> Any:
    """Remove ``dotted`` (matched case-insensitively, as extractCaseInsensitive does)."""
    *parents, last = dotted.split(".")
    node: Any = settings
    for part in parents:
        key = (
            next((k for k in node if k.lower() == part.lower()), None)
            if isinstance(node, dict)
            else None
        )
        if key is None:
            return None
        node = node[key]
    if not isinstance(node, dict):
        return None
    key = next((k for k in node if k.lower() == last.lower()), None)
    return node.pop(key) if key is not None else None


def _set_path(settings: JSON, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = settings
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def split_secrets(kind: str, settings: JSON) -> tuple[JSON, dict[str, str]]:
    """RemoveSecretsForContactPoint: secret keys leave the settings; an empty one is dropped."""
    settings = json_copy(settings)
    secure = {}
    for path in SECRET_KEYS.get(kind, ()):
        value = _pop_path(settings, path)
        if value not in (None, ""):
            secure[path] = str(value)
    return settings, secure


def redacted(kind: str, settings: JSON, secure: dict[str, str]) -> JSON:
    """Integration.Redact: every stored secret reads "[REDACTED]" (P5)."""
    out = json_copy(settings)
    for path in secure:
        _set_path(out, path, REDACTED)
    return out


def contact_point_problem(kind: str, settings: JSON, secure: dict[str, str]) -> Problem:
    """What the notifier's own validation refuses (P7), for the types the emulator knows."""
    if kind not in SECRET_KEYS:
        return f'notifier type "{kind}" is not supported'
    if kind == "slack" and "url" not in secure and "token" not in secure:
        return "token must be specified when using the Slack chat API"
    if kind == "slack" and "token" in secure and not settings.get("recipient"):
        return "recipient must be specified when using the Slack chat API"
    if kind == "pagerduty" and "integrationKey" not in secure:
        return "could not find integration key property in settings"
    if kind == "webhook" and not settings.get("url"):
        return "required field 'url' is not specified"
    if kind == "email" and not settings.get("addresses"):
        return "could not find addresses in settings"
    return None


# --- mute timings (P20) --------------------------------------------------------------------

TIME_RE = re.compile(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
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
)


def _ranges(items: list[Any], parse: Any, render: Any) -> list[str]:
    out = []
    for text in items:
        ends = [parse(part) for part in str(text).split(":")]
        if len(ends) > 2 or (len(ends) == 2 and ends[0] > ends[1]):
            raise ValueError(f"invalid range {text!r}")
        out.append(render(ends[0]) if len(set(ends)) == 1 else ":".join(map(render, ends)))
    return out


def _weekday(text: str) -> int:
    return WEEKDAYS.index(text.strip().lower())


def _month(text: str) -> int:
    text = text.strip().lower()
    return int(text) if text.isdigit() and 1 <= int(text) <= 12 else MONTHS.index(text) + 1


def _number(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high or value == 0:
            raise ValueError(f"{value} out of range")
        return value

    return parse


def normalized_intervals(intervals: Any) -> list[JSON] | None:
    """MuteTimeInterval.Validate's YAML round trip (P20); raises ValueError when invalid."""
    if intervals is None:
        return None
    out = []
    for interval in intervals:
        item: JSON = {}
        if interval.get("times"):
            for span in interval["times"]:
                start, end = span.get("start_time", ""), span.get("end_time", "")
                if not (TIME_RE.match(start) and TIME_RE.match(end)) or start >= end:
                    raise ValueError(f"couldn't parse timestamp {start}, invalid format")
            item["times"] = [
                {"start_time": t["start_time"], "end_time": t["end_time"]}
                for t in interval["times"]
            ]
        if interval.get("weekdays"):
            item["weekdays"] = _ranges(interval["weekdays"], _weekday, lambda i: WEEKDAYS[i])
        if interval.get("days_of_month"):
            item["days_of_month"] = _ranges(interval["days_of_month"], _number(-31, 31), str)
        if interval.get("months"):
            item["months"] = _ranges(interval["months"], _month, str)
        if interval.get("years"):
            item["years"] = _ranges(interval["years"], _number(1, 9999), str)
        if interval.get("location"):
            try:
                item["location"] = str(zoneinfo.ZoneInfo(interval["location"]))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time location {interval['location']!r}") from None
        out.append(item)
    return out


# --- templates (P23) -----------------------------------------------------------------------

ACTION_RE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
OPENERS = ("define", "if", "range", "with", "block")


def normalized_template(name: str, text: str) -> str:
    text = text.strip()
    if "{{ define" in text:
        return text
    body = "\n".join("  " + line for line in text.split("\n"))
    return f'{{{{ define "{name}" }}}}\n{body}\n{{{{ end }}}}'


def template_problem(text: str) -> Problem:
    """The template engine's parse, as far as nesting and delimiters go."""
    if text.count("{{") != text.count("}}"):
        return "unclosed action"
    depth = 0
    for action in ACTION_RE.findall(text):
        word = action.split(" ", 1)[0]
        if word in OPENERS:
            depth += 1
        elif word == "end":
            depth -= 1
            if depth < 0:
                return "unexpected {{end}}"
    return None if depth == 0 else "unexpected EOF"


# --- the policy tree (P13-P16) -------------------------------------------------------------

MATCHER_RE = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")
OPERATORS = ("=", "!=", "=~", "!~")


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return str(orjson.loads(value.encode()))
    return value


def _sorted(matchers: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """labels.Matchers' order: by name, then type, then value."""
    return sorted(matchers, key=lambda m: (m[0], OPERATORS.index(m[1]), m[2]))


def _route(route: JSON, root: bool) -> JSON:
    """One route as Grafana parses and stores it, or ValueError with its message."""
    out: JSON = {}
    if route.get("receiver"):
        out["receiver"] = route["receiver"]
    group_by = route.get("group_by") or []
    if "..." in group_by and len(group_by) > 1:
        raise ValueError(
            "cannot have wildcard group_by (`...`) and other other labels at the same time"
        )
    if len(set(group_by)) != len(group_by):
        duplicate = next(g for g in group_by if group_by.count(g) > 1)
        raise ValueError(f"duplicated label {duplicate!r} in group_by")
    if group_by:
        out["group_by"] = list(group_by)
    if route.get("continue"):
        out["continue"] = True
    objects = []
    for name, op, value in route.get("object_matchers") or []:
        objects.append((name, op, _unquoted(value)))
    if objects:
        out["object_matchers"] = [list(m) for m in _sorted(objects)]
    strings = []
    for text in route.get("matchers") or []:
        match = MATCHER_RE.match(text)
        if match is None:
            raise ValueError(f"bad matcher format: {text}")
        strings.append((match[1], match[2], _unquoted(match[3])))
    if strings:
        out["matchers"] = [f"{n}{op}{orjson.dumps(v).decode()}" for n, op, v in _sorted(strings)]
    for key in ("match", "match_re"):
        if route.get(key):
            out[key] = dict(route[key])
    for key in ("mute_time_intervals", "active_time_intervals"):
        if route.get(key):
            out[key] = list(route[key])
    for key in ("group_wait", "group_interval", "repeat_interval"):
        if route.get(key):
            ms = parse_duration(str(route[key]))
            if ms is None:
                raise ValueError(f"not a valid duration string: {route[key]!r}")
            if ms == 0 and key != "group_wait":
                raise ValueError(f"{key} cannot be zero")
            out[key] = format_duration(ms)
    if root and (objects or strings or route.get("match") or route.get("match_re")):
        raise ValueError("root route must not have any matchers")
    if root and (route.get("mute_time_intervals") or route.get("active_time_intervals")):
        raise ValueError("root route must not have any mute time intervals")
    if root and not route.get("receiver"):
        raise ValueError("root route must specify a default receiver")
    children = [_route(child, False) for child in route.get("routes") or []]
    if children:
        out["routes"] = children
    return out


def stored_tree(tree: JSON) -> JSON:
    """The tree as Grafana stores it (P14, P15), or ValueError."""
    return _route(tree, True)


def tree_names(route: JSON, key: str) -> set[str]:
    names = set(route.get(key) or []) if key != "receiver" else {route.get("receiver") or ""}
    for child in route.get("routes") or []:
        names |= tree_names(child, key)
    return names - {""}


def renamed_in_tree(route: JSON, key: str, old: str, new: str) -> None:
    """Rewrite references in place (a contact point or time interval renamed: P8, P21)."""
    if key == "receiver" and route.get("receiver") == old:
        route["receiver"] = new
    elif key != "receiver" and old in (route.get(key) or []):
        route[key] = [new if name == old else name for name in route[key]]
    for child in route.get("routes") or []:
        renamed_in_tree(child, key, old, new)


ROOT_KEYS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "routes")


def tree_answer(stored: JSON, provenance: str, major: int) -> JSON:
    """GET /policies (P13): Grafana 13 rebuilds the root from a managed route, keeping only
    some of its keys; 12 answers the stored root."""
    root = json_copy(stored)
    if major >= 13:
        root = {key: root[key] for key in ROOT_KEYS if key in root}
    if provenance:
        root["provenance"] = provenance
    return root


def default_tree() -> JSON:
    return {"receiver": DEFAULT_RECEIVER, "group_by": ["grafana_folder", "alertname"]}


def valid_duration(text: str) -> bool:
    return parse_duration(text) is not None


def default_email() -> JSON:
    """The contact point every Grafana starts with."""
    return {
        "uid": DEFAULT_EMAIL_UID,
        "name": DEFAULT_RECEIVER,
        "type": "email",
        "settings": {"addresses": "<example@email.com>"},
        "secure": {},
        "disableResolveMessage": False,
        "provenance": "",
    }
