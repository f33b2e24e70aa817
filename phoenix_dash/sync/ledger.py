"""What phoenix-dash last wrote to Grafana's notification settings, kept in Grafana itself.

Dashboards carry phoenix-dash's hash in their version message, rules in an annotation and
datasources in jsonData; contact points, mute timings and policy routes have no field Grafana
keeps for a client. So each project records, per resource it wrote, the hash of what it wrote,
in one notification template of its own (``phoenix-dash-ledger.<managed tag>``), a Go template
comment that renders to nothing. A resource whose live content is neither what the code wants
nor what the ledger says phoenix-dash wrote was edited by someone else; one the ledger does not
name is not phoenix-dash's, and ``--prune`` never touches it. Templates are the one alerting
object with free text and optimistic locking (P24): concurrent syncs merge their entries.
"""

from __future__ import annotations

import re
import threading

import orjson

from ..filenames import safe_stem
from ..grafana.connection import GrafanaConnection
from ..grafana.errors import GrafanaConflict, GrafanaNotFound

PREFIX = "phoenix-dash-ledger."
ENTRIES_RE = re.compile(r"\{\{/\* phoenix-dash ledger (\{.*\}) \*/\}\}", re.S)
EXPLAINED = (
    "what this phoenix-dash project last wrote to the notification settings; "
    "it renders nothing; do not edit"
)
RETRIES = 3
POLICY_KEY = "policies"  # the one policy route a project owns
SELECTOR = "policy-selector"  # its entry for that route's matchers


def ledger_name(managed_tag: str) -> str:
    return PREFIX + safe_stem(managed_tag, "project")


def is_ledger(template_name: str) -> bool:
    return template_name.startswith(PREFIX)


def _text(name: str, entries: dict[str, str]) -> str:
    # "*/" would end the comment: JSON may escape "/" as "\/".
    data = orjson.dumps(entries, option=orjson.OPT_SORT_KEYS).decode().replace("*/", "*\\/")
    return (
        f'{{{{ define "{name}" }}}}{{{{/* {EXPLAINED} */}}}}'
        f"{{{{/* phoenix-dash ledger {data} */}}}}{{{{ end }}}}"
    )


def _entries(text: str) -> dict[str, str]:
    found = ENTRIES_RE.search(text)
    if found is None:
        return {}
    try:
        data = orjson.loads(found.group(1))
    except orjson.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


class Ledger:
    """One project's ledger: read once per plan, written once at the end of an apply."""

    def __init__(self, managed_tag: str, editable: bool) -> None:
        self.name = ledger_name(managed_tag)
        self.editable = editable  # written with the provenance of the other resources
        self.entries: dict[str, str] | None = None
        self.pending: dict[str, str | None] = {}  # entry -> new hash (None: forget it)
        self._lock = threading.Lock()

    def load(self, conn: GrafanaConnection) -> None:
        with self._lock:
            if self.entries is None:
                self.entries = self._read(conn)[0]

    def recorded(self, kind: str, key: str) -> str | None:
        return (self.entries or {}).get(f"{kind}/{key}")

    def selector(self) -> list[list[str]] | None:
        """The matchers of the policy route phoenix-dash wrote last (the code may have
        changed them since: that route is then the one to replace)."""
        recorded = self.recorded(SELECTOR, POLICY_KEY)
        return list(orjson.loads(recorded)) if recorded else None

    def note_selector(self, selector: list[list[str]] | None) -> None:
        self.note(SELECTOR, POLICY_KEY, orjson.dumps(selector).decode() if selector else None)

    def keys(self, kind: str) -> list[str]:
        prefix = f"{kind}/"
        return sorted(k.removeprefix(prefix) for k in self.entries or {} if k.startswith(prefix))

    def note(self, kind: str, key: str, digest: str | None) -> None:
        """What a write did: ``digest`` written, or (None) the resource deleted."""
        with self._lock:
            self.pending[f"{kind}/{key}"] = digest

    def flush(self, conn: GrafanaConnection) -> None:
        """Merge what this apply wrote into the ledger as Grafana has it now (another sync
        may have written since the plan), retried when the ledger changes meanwhile."""
        with self._lock:
            pending, self.pending = self.pending, {}
        for attempt in range(RETRIES):
            if not pending:
                return
            entries, version = self._read(conn)
            merged = {**entries, **{k: v for k, v in pending.items() if v is not None}}
            for key in (k for k, v in pending.items() if v is None):
                merged.pop(key, None)
            if merged == entries:
                return
            body = {
                "template": _text(self.name, merged),
                **({"version": version} if version else {}),
            }
            headers = {"X-Disable-Provenance": "true"} if self.editable else None
            try:
                conn.request(
                    "PUT", f"/v1/provisioning/templates/{self.name}", json=body, headers=headers
                )
            except GrafanaConflict:
                if attempt == RETRIES - 1:
                    raise
                continue
            self.entries = merged
            return

    def _read(self, conn: GrafanaConnection) -> tuple[dict[str, str], str]:
        try:
            found = conn.request("GET", f"/v1/provisioning/templates/{self.name}")
        except GrafanaNotFound:
            return {}, ""
        return _entries(str(found.get("template") or "")), str(found.get("version") or "")
