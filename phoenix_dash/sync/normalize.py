"""Semantic comparison: both sides normalised the same way, so an unchanged resource never
shows a difference whatever Grafana adds (ids, versions, timestamps, key order)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from ..alerting.grafana import owned_rule
from ..provenance import strip_stamps

JSON = dict[str, Any]
# phoenix-dash's record of its last write through the legacy API, in the dashboard itself:
# {"hash": content hash, "version": the version that write made}. A later save makes
# another version, so a record that names the current one says the current version is
# phoenix-dash's write of that content, in the same read (the version message is the
# fallback: see handlers/dashboard.py).
DASHBOARD_RECORD = "phoenixDash"
# What a dashboard carries that is Grafana's or phoenix-dash's bookkeeping, not its content.
DASHBOARD_VOLATILE = ("id", "version", "iteration", DASHBOARD_RECORD)
HASH_ANNOTATION = "phoenix_dash_hash"
MESSAGE_RE = re.compile(r"^phoenix-dash (?P<rev>\S+) sha256:(?P<hash>[0-9a-f]{16,64})\b")
MAX_MESSAGE = 500  # Grafana refuses a longer version message (D4)
EMPTY_VALUES: tuple[Any, ...] = (None, False, "", [], {})


def canonical(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()[:16]


def normalize_dashboard(dashboard: JSON, stamped: bool = True) -> JSON:
    """A copy without instance-specific keys (and, for built JSON, provenance stamps)."""
    clean: JSON = strip_stamps(dashboard) if stamped else dict(dashboard)
    for key in DASHBOARD_VOLATILE:
        clean.pop(key, None)
    return clean


def normalize_rule(rule: JSON) -> JSON:
    """What phoenix-dash owns in a rule, without its own hash annotation."""
    clean = owned_rule(rule)
    clean["annotations"] = {k: v for k, v in clean["annotations"].items() if k != HASH_ANNOTATION}
    return clean


def rule_hash(rule: JSON, locked: bool) -> str:
    """The hash annotation of a rule: its owned content and whether it is locked against UI
    edits. Grafana re-applies provenance only to rules a group write changes (R5), so a switch
    of ``alert_rules_editable`` must change every rule: it changes this hash."""
    return content_hash({"rule": normalize_rule(rule), "locked": locked})


def owned_view(remote: Any, desired: Any) -> Any:
    """``remote`` seen through what phoenix-dash sets (``desired``), for people reading a
    diff: keys only Grafana has are left out, and a key Grafana dropped because it held an
    empty default reads as the desired value."""
    if isinstance(desired, dict) and isinstance(remote, dict):
        out = {}
        for key, want in desired.items():
            if key in remote:
                out[key] = owned_view(remote[key], want)
            elif any(want == empty and type(want) is type(empty) for empty in EMPTY_VALUES):
                out[key] = want
        return out
    if isinstance(desired, list) and isinstance(remote, list) and len(desired) == len(remote):
        return [owned_view(r, d) for r, d in zip(remote, desired, strict=True)]
    return remote


def normalize_group(group: JSON) -> JSON:
    rules = sorted(
        (normalize_rule(r) for r in group.get("rules") or []), key=lambda r: str(r.get("uid"))
    )
    return {
        "title": group.get("title"),
        "folderUid": group.get("folderUid"),
        "interval": group.get("interval"),
        "rules": rules,
    }


def version_message(revision: str, digest: str, note: str = "") -> str:
    """What sync writes as a dashboard version's message: how it recognises its own writes."""
    message = f"phoenix-dash {revision} sha256:{digest}"
    return f"{message}: {note}" if note else message


def message_room(revision: str) -> int:
    """How many characters a --message may have: Grafana keeps at most 500 per version."""
    return MAX_MESSAGE - len(version_message(revision, "0" * 16, "x")) + 1


def recorded_hash(message: str | None) -> str | None:
    match = MESSAGE_RE.match(message or "")
    return match.group("hash") if match else None
