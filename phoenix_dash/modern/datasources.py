"""Datasource references: grafanalib writes plain strings, Grafana 12 wants {"type", "uid"}."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import DatasourceRef
from ..provenance import stamped_at
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
    """Turns whatever an author wrote into a {"type", "uid"} reference.

    Three readings, from strictest: code (an unknown name or uid is an error at its line);
    a dashboard Grafana saved or exported, adopted into the project (``lenient``: references
    are mapped onto the project's datasources as Grafana's import and migrations resolve
    them, an unresolvable one is an error that says how to map it); and a foreign file
    rewritten in the shape Grafana stores (``keep_unknown``, lint --fix): what the project
    cannot map is kept as Grafana's migration keeps it (a name as ``{"uid": name}``, an
    export's ``${DS_X}`` as written, no datasource as none: Grafana's default)."""

    named: Mapping[str, DatasourceRef]
    variables: Mapping[str, str]  # datasource variable name -> plugin type
    default: str | None
    # A dashboard Grafana saved (adopt): a reference by type alone is kept, as Grafana keeps
    # it (the type's default datasource); names, export inputs and no datasource are mapped
    # onto the project's datasources, or refused with the mapping that would resolve them.
    lenient: bool = False
    inputs: Mapping[str, str] = field(default_factory=dict)  # export __inputs: name -> type
    mapped: Mapping[str, DatasourceRef] = field(default_factory=dict)  # --datasource NAME=...
    keep_unknown: bool = False
    # What adopting kept unresolved, for people (a name Grafana resolves to nothing either).
    notes: list[str] = field(default_factory=list)

    @classmethod
    def for_dashboard(
        cls,
        dashboard: JSON,
        named: Mapping[str, DatasourceRef],
        default: str | None,
        lenient: bool = False,
        mapped: Mapping[str, DatasourceRef] | None = None,
        keep_unknown: bool = False,
        notes: list[str] | None = None,
    ) -> DatasourceResolver:
        templating = (dashboard.get("templating") or {}).get("list") or []
        variables = {
            v["name"]: str(v.get("query") or "")
            for v in templating
            if v.get("type") == "datasource" and "name" in v
        }
        inputs = {
            str(i["name"]): str(i.get("pluginId") or "")
            for i in dashboard.get("__inputs") or []
            if isinstance(i, dict) and i.get("type") == "datasource" and i.get("name")
        }
        if default is None and len(variables) == 1:
            default = "${" + next(iter(variables)) + "}"
        return cls(
            named,
            variables,
            default,
            lenient,
            inputs,
            dict(mapped or {}),
            keep_unknown,
            notes if notes is not None else [],
        )

    def resolve(self, value: Any, owner: JSON, what: str | None = None) -> JSON | None:
        """The reference for ``value``; None means "inherit" (use the panel's or the default).
        ``what`` names the owner in errors (default: the panel it describes)."""
        what = what or describe(owner)
        if value is None or value == "":  # "" reads as no datasource (Grafana: {})
            return None
        if isinstance(value, dict):
            return self._resolve_object(value, owner, what)
        if not isinstance(value, str):
            raise fail(owner, f"{what}: datasource must be a string or an object")
        if value in BUILTIN:
            return dict(BUILTIN[value])
        var = variable_name(value)
        if var is not None:
            return self._variable(var, value, owner, what)
        if value in self.named:
            return self.named[value].as_json()
        return self._unknown(value, owner, what)

    def _variable(self, var: str, written: str, owner: JSON, what: str) -> JSON:
        if var in self.variables:
            # "$ds" and "${ds}" kept as written (Grafana keeps both); "[[ds]]" is long gone.
            uid = written if written.startswith("$") else "${" + var + "}"
            return {"type": self.variables[var], "uid": uid}
        if var in self.inputs:
            return self._input(var, owner, what)
        raise fail(
            owner,
            f"{what}: datasource variable ${var} is not defined "
            f"(datasource variables: {', '.join(sorted(self.variables)) or 'none'})",
        )

    def _input(self, name: str, owner: JSON, what: str) -> JSON:
        """An export's ``${DS_X}``: the datasource Grafana's import would ask for, here the
        one --datasource maps, else the project's only one of the input's type (its default
        when it has several and the default is of that type)."""
        kind = self.inputs[name]
        if name in self.mapped:
            return self.mapped[name].as_json()
        if self.keep_unknown:
            return {"type": kind, "uid": "${" + name + "}"} if kind else {"uid": "${" + name + "}"}
        found = self._of_type(kind)
        if found is not None:
            return found
        raise fail(
            owner,
            f"{what}: datasource input ${{{name}}} (a {kind or 'untyped'} "
            f"datasource, from __inputs) {self._how_to_map(name, kind)}",
        )

    def _of_type(self, kind: str) -> JSON | None:
        """The project's datasource of plugin type ``kind``: the default if it is one, else
        the only one."""
        refs = {ref.uid: ref for ref in self.named.values() if ref.type == kind}
        default = self.named.get(self.default or "")
        if default is not None and default.type == kind:
            return default.as_json()
        return next(iter(refs.values())).as_json() if len(refs) == 1 else None

    def _how_to_map(self, written: str, kind: str) -> str:
        names = sorted(n for n, r in self.named.items() if not kind or r.type == kind)
        choices = ", ".join(names) or "none"
        return (
            f"is none of this project's: map it with --datasource '{written}'=<name> "
            f"(phoenix-dash.yaml datasources{f' of type {kind}' if kind else ''}: {choices})"
        )

    def _unknown(self, value: str, owner: JSON, what: str) -> JSON:
        """A name (or uid) the project does not define, as Grafana's migration reads one."""
        if value in self.mapped:
            return self.mapped[value].as_json()
        if self.keep_unknown:
            return {"uid": value}  # MigrateDatasourceNameToRef: an unknown name kept as a uid
        if self.lenient:
            by_type = self._of_type(value.lower())  # Grafana 7's "Prometheus", "Loki"
            if by_type is not None:
                return by_type
            # Kept as Grafana keeps it (a reference that finds nothing there either); the
            # module's build names it at its line until it is mapped.
            where = stamped_at(owner)
            at = f"{where.file}:{where.line}: " if where is not None and where.line else ""
            self.notes.append(f"{at}{what}: datasource {value!r} {self._how_to_map(value, '')}")
            return {"uid": value}
        known = ", ".join(sorted(self.named)) or "none"
        raise fail(
            owner,
            f"{what}: unknown datasource {value!r} "
            f"(phoenix-dash.yaml datasources: {known}; or a $variable)",
        )

    def _resolve_object(self, value: JSON, owner: JSON, what: str) -> JSON | None:
        uid = value.get("uid")
        if self.lenient and (not isinstance(uid, str) or not uid):
            kind = value.get("type")  # by type alone: that type's default, for Grafana
            return {"type": kind} if isinstance(kind, str) and kind else None
        if not isinstance(uid, str) or not uid:
            raise fail(owner, f"{what}: datasource object needs a string uid")
        if uid in BUILTIN and "type" not in value:  # {"uid": "-- Mixed --"}
            return dict(BUILTIN[uid])
        var = variable_name(uid)
        if var is not None and var not in self.variables and var in self.inputs:
            return self._input(var, owner, what)  # an export's {"type", "uid": "${DS_X}"}
        if "type" in value:
            return {"type": value["type"], "uid": uid}
        if var is not None:
            return self.resolve(uid, owner, what) or {}
        for ref in self.named.values():
            if ref.uid == uid:
                return ref.as_json()
        if uid in self.mapped or self.keep_unknown or self.lenient:
            return self._unknown(uid, owner, what)
        raise fail(owner, f"{what}: datasource uid {uid!r} has no type and is unknown")

    def default_ref(self, owner: JSON, what: str | None = None) -> JSON | None:
        """The reference of "no datasource": the project's default (adopting, its only
        datasource when it names no default); None when the file is kept as Grafana keeps it
        (Grafana reads none as its own default)."""
        what = what or describe(owner)
        default = self.default
        if default is None and self.lenient:
            uids = {ref.uid: name for name, ref in self.named.items()}
            default = next(iter(uids.values())) if len(uids) == 1 else None
        if default is None and self.keep_unknown:
            return None
        if default is None:
            raise fail(
                owner,
                f"{what}: no datasource given and no default "
                "(add a datasource variable or set default_datasource in phoenix-dash.yaml)",
            )
        ref = self.resolve(default, owner, what)
        assert ref is not None
        return ref
