"""Semantic comparison: both sides normalised the same way, so an unchanged resource never
shows a difference whatever Grafana adds (ids, versions, timestamps, key order)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from ..modern.common import strip_sources

JSON = dict[str, Any]
DASHBOARD_VOLATILE = ("id", "version", "iteration")
RULE_VOLATILE = ("id", "updated", "provenance", "orgID")
HASH_ANNOTATION = "phoenix_dash_hash"
MESSAGE_RE = re.compile(r"^phoenix-dash (?P<rev>\S+) sha256:(?P<hash>[0-9a-f]{16,64})\b")


def canonical(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()[:16]


def normalize_dashboard(dashboard: JSON, stamped: bool = True) -> JSON:
    """A copy without instance-specific keys (and, for built JSON, provenance stamps)."""
    clean: JSON = strip_sources(dashboard) if stamped else dict(dashboard)
    for key in DASHBOARD_VOLATILE:
        clean.pop(key, None)
    return clean


def normalize_rule(rule: JSON) -> JSON:
    clean = {k: v for k, v in rule.items() if k not in RULE_VOLATILE}
    annotations = {k: v for k, v in (clean.get("annotations") or {}).items()
                   if k != HASH_ANNOTATION}
    clean["annotations"] = annotations
    clean.setdefault("isPaused", False)
    clean.setdefault("labels", {})
    return clean


def normalize_group(group: JSON) -> JSON:
    rules = sorted((normalize_rule(r) for r in group.get("rules") or []),
                   key=lambda r: str(r.get("uid")))
    return {"title": group.get("title"), "folderUid": group.get("folderUid"),
            "interval": group.get("interval"), "rules": rules}


def version_message(revision: str, digest: str, note: str = "") -> str:
    """What sync writes as a dashboard version's message: how it recognises its own writes."""
    message = f"phoenix-dash {revision} sha256:{digest}"
    return f"{message}: {note}" if note else message


def recorded_hash(message: str | None) -> str | None:
    match = MESSAGE_RE.match(message or "")
    return match.group("hash") if match else None
