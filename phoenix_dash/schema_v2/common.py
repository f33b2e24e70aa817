"""What the v1 -> v2 conversion modules share: reading loosely typed v1 JSON the way
Grafana's converter does, and the datasource index it resolves references with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
GRAFANA_DATASOURCE_UID = "grafana"  # the built-in Grafana datasource, type "datasource"


@dataclass(frozen=True)
class DatasourceIndex:
    """Datasource uid -> type on the target, and the default datasource's type: a v1
    reference may name only a uid, and v2 queries name their datasource's type (group)."""

    types: Mapping[str, str] = field(default_factory=dict)
    default_type: str = "grafana"

    def type_of(self, uid: str) -> str:
        if not uid:
            return self.default_type
        return self.types.get(uid, self.default_type)


def text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return value if isinstance(value, str) and value else default


def number(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def flag(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def strings(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def is_template_variable(uid: str) -> bool:
    return uid.startswith("$")


def as_reference(ref: Any) -> Any:
    """A datasource reference as an object: schema versions before 33 wrote a string (a
    name, or a ``${variable}``)."""
    return {"uid": ref} if isinstance(ref, str) and ref else ref


def resolve_reference(ref: Any, index: DatasourceIndex) -> tuple[str, str]:
    """(type, uid) of a v1 datasource reference object, completed as Grafana does: a uid
    alone gets its type from the index (not a ``$variable``), neither gets the default's
    type, and type "datasource" without a uid is the built-in Grafana datasource."""
    if not isinstance(ref, dict):
        return index.default_type, ""
    uid, kind = text(ref, "uid"), text(ref, "type")
    if uid and not kind and not is_template_variable(uid):
        kind = index.type_of(uid)
    elif not uid and not kind:
        kind = index.default_type
    if kind == "datasource" and not uid:
        uid = GRAFANA_DATASOURCE_UID
    return kind, uid


def data_query(kind: str, uid: str, spec: JSON) -> JSON:
    """A v2 DataQuery: the datasource's type as its group, the uid as the datasource's
    name."""
    query: JSON = {"kind": "DataQuery", "group": kind, "version": "v0"}
    if uid:
        query["datasource"] = {"name": uid}
    query["spec"] = spec
    return query
