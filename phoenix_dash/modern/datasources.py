"""Datasource references: grafanalib writes plain strings, Grafana 12 wants {"type", "uid"}."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import DatasourceRef
from .common import JSON, describe, fail

VARIABLE_RE = re.compile(r"^\$(\{(?P<braced>\w+)(:\w+)?\}|(?P<plain>\w+))$|^\[\[(?P<old>\w+)\]\]$")

# Grafana's own pseudo-datasources, as the UI writes them.
BUILTIN = {
    "-- Grafana --": {"type": "grafana", "uid": "grafana"},
    "grafana": {"type": "grafana", "uid": "grafana"},
    "-- Mixed --": {"type": "datasource", "uid": "-- Mixed --"},
    "-- Dashboard --": {"type": "datasource", "uid": "-- Dashboard --"},
}

# Panel types that query nothing and must not carry a datasource.
NO_DATASOURCE_PANELS = frozenset({"row", "text", "alertlist", "dashlist", "news", "welcome"})


def variable_name(value: str) -> str | None:
    match = VARIABLE_RE.match(value)
    if not match:
        return None
    return match.group("braced") or match.group("plain") or match.group("old")


@dataclass(frozen=True)
class DatasourceResolver:
    """Turns whatever an author wrote into a {"type", "uid"} reference."""

    named: Mapping[str, DatasourceRef]
    variables: Mapping[str, str]  # datasource variable name -> plugin type
    default: str | None
    # A dashboard Grafana saved (adopt): a reference by type alone is kept, as Grafana keeps
    # it (the type's default datasource). A name or uid phoenix-dash does not know is still
    # refused, at its line: the project must map it in phoenix-dash.yaml.
    lenient: bool = False

    @classmethod
    def for_dashboard(
        cls,
        templating: list[JSON],
        named: Mapping[str, DatasourceRef],
        default: str | None,
        lenient: bool = False,
    ) -> DatasourceResolver:
        variables = {
            v["name"]: str(v.get("query") or "")
            for v in templating
            if v.get("type") == "datasource" and "name" in v
        }
        if default is None and len(variables) == 1:
            default = "${" + next(iter(variables)) + "}"
        return cls(named, variables, default, lenient)

    def resolve(self, value: Any, owner: JSON) -> JSON | None:
        """The reference for ``value``; None means "inherit" (use the panel's or the default)."""
        if value is None:
            return None
        if isinstance(value, dict):
            return self._resolve_object(value, owner)
        if not isinstance(value, str):
            raise fail(owner, f"{describe(owner)}: datasource must be a string or an object")
        if value in BUILTIN:
            return dict(BUILTIN[value])
        var = variable_name(value)
        if var is not None:
            if var not in self.variables:
                raise fail(
                    owner,
                    f"{describe(owner)}: datasource variable ${var} is not defined "
                    f"(datasource variables: {', '.join(sorted(self.variables)) or 'none'})",
                )
            # "$ds" and "${ds}" kept as written (Grafana keeps both); "[[ds]]" is long gone.
            uid = value if value.startswith("$") else "${" + var + "}"
            return {"type": self.variables[var], "uid": uid}
        if value in self.named:
            return self.named[value].as_json()
        known = ", ".join(sorted(self.named)) or "none"
        raise fail(
            owner,
            f"{describe(owner)}: unknown datasource {value!r} "
            f"(phoenix-dash.yaml datasources: {known}; or a $variable)",
        )

    def _resolve_object(self, value: JSON, owner: JSON) -> JSON | None:
        uid = value.get("uid")
        if self.lenient and (not isinstance(uid, str) or not uid):
            kind = value.get("type")  # by type alone: that type's default, for Grafana
            return {"type": kind} if isinstance(kind, str) and kind else None
        if not isinstance(uid, str) or not uid:
            raise fail(owner, f"{describe(owner)}: datasource object needs a string uid")
        if "type" in value:
            return {"type": value["type"], "uid": uid}
        var = variable_name(uid)
        if var is not None:
            return self.resolve(uid, owner) or {}
        for ref in self.named.values():
            if ref.uid == uid:
                return ref.as_json()
        raise fail(owner, f"{describe(owner)}: datasource uid {uid!r} has no type and is unknown")

    def default_ref(self, owner: JSON) -> JSON:
        if self.default is None:
            raise fail(
                owner,
                f"{describe(owner)}: no datasource given and no default "
                "(add a datasource variable or set default_datasource in phoenix-dash.yaml)",
            )
        ref = self.resolve(self.default, owner)
        assert ref is not None
        return ref
