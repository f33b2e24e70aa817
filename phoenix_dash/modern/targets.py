"""Query targets: grafanalib writes one Graphite/Prometheus hybrid shape for every datasource."""

from __future__ import annotations

import string
from collections.abc import Iterator

from ..provenance import SOURCE_KEY
from .common import JSON, describe, drop_if, fail, pop_keys
from .datasources import BUILTIN, DatasourceResolver

# Keys each query model accepts (Grafana's Dataquery schemas), besides refId/datasource/hide.
PROMETHEUS_KEYS = frozenset(
    {
        "expr",
        "legendFormat",
        "format",
        "instant",
        "range",
        "interval",
        "exemplar",
        "editorMode",
        "intervalMs",
        "maxDataPoints",
        "queryType",
        "adhocFilters",
        "groupByKeys",
        "scopes",
        "resultAssertions",
        "timeRange",
    }
)
LOKI_KEYS = frozenset(
    {
        "expr",
        "legendFormat",
        "maxLines",
        "resolution",
        "editorMode",
        "range",
        "instant",
        "step",
        "queryType",
        "direction",
    }
)
COMMON_KEYS = frozenset({"refId", "datasource", "hide", SOURCE_KEY})
KEYS_BY_TYPE = {"prometheus": PROMETHEUS_KEYS, "loki": LOKI_KEYS}
# grafanalib's Target writes these on every target, whatever the datasource.
GRAFANALIB_DEFAULTS = (("target", ""), ("metric", ""), ("step", 10), ("intervalFactor", 2))


def _ref_ids() -> Iterator[str]:
    for first in ["", *string.ascii_uppercase]:
        for second in string.ascii_uppercase:
            yield first + second


def modernize_targets(panel: JSON, panel_ref: JSON | None, resolver: DatasourceResolver) -> None:
    targets = panel.get("targets")
    if not targets:
        panel.pop("targets", None)
        return
    taken = {t["refId"] for t in targets if isinstance(t, dict) and t.get("refId")}
    fresh = (r for r in _ref_ids() if r not in taken)
    seen: set[str] = set()
    refs: list[JSON] = []
    for target in targets:
        if not isinstance(target, dict):
            raise fail(panel, f"{describe(panel)}: target must be an object, got {target!r}")
        if not target.get("refId"):
            target["refId"] = next(fresh)
        if target["refId"] in seen:
            raise fail(target, f"{describe(panel)}: duplicate refId {target['refId']!r}")
        seen.add(target["refId"])
        # A query inherits the panel's datasource, unless that is "-- Mixed --", which no
        # query runs on: then the default (Grafana's v36).
        inherited = None if panel_ref == BUILTIN["-- Mixed --"] else panel_ref
        ref = resolver.resolve(target.get("datasource"), target) or inherited
        if ref is None:
            ref = resolver.default_ref(panel)
        if ref is None:  # kept without one, as Grafana keeps it: its default datasource
            target.pop("datasource", None)
            _clean_target(target, "")
            continue
        target["datasource"] = ref
        refs.append(ref)
        _clean_target(target, str(ref.get("type", "")))
    if refs and (panel_ref is None or any(r != panel_ref for r in refs)):
        distinct = {(r.get("type"), r.get("uid")) for r in refs}
        panel["datasource"] = refs[0] if len(distinct) == 1 else dict(BUILTIN["-- Mixed --"])


def _clean_target(target: JSON, ds_type: str) -> None:
    drop_if(target, "hide", False)
    for key in ("legendFormat", "interval"):
        drop_if(target, key, "")
    if target.get("query") == target.get("expr"):  # grafanalib copies expr into query
        target.pop("query", None)
    for key, default in GRAFANALIB_DEFAULTS:
        drop_if(target, key, default)
    allowed = KEYS_BY_TYPE.get(ds_type)
    if allowed is None:
        return  # a datasource we have no model for: keep what the author wrote
    if ds_type == "prometheus":
        drop_if(target, "format", "time_series")  # Grafana's default
        if target.get("instant"):
            target["range"] = False
        else:
            target.pop("instant", None)
            target.setdefault("range", True)
    elif ds_type == "loki":
        target.pop("instant", None)
        target.pop("format", None)
        target.setdefault("queryType", "range")
    # Hand-written PromQL/LogQL: the builder editor would try (and fail) to re-parse it.
    target.setdefault("editorMode", "code")
    pop_keys(target, *(k for k in list(target) if k not in allowed and k not in COMMON_KEYS))
