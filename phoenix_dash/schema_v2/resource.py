"""The schema v2 form phoenix-dash writes (``build/dashboards/<uid>.json`` with
``dashboards.schema: v2``): a ``dashboard.grafana.app/v2`` resource whose spec is Grafana's
conversion of the v1 model, without what the schema reserves for Grafana's own use."""

from __future__ import annotations

from .common import JSON, DatasourceIndex
from .dashboard import to_v2

SCHEMAS = ("v1", "v2")
API_VERSION = "dashboard.grafana.app/v2"


def as_code(spec: JSON) -> JSON:
    """``spec`` as tooling writes it: annotations' ``legacyOptions`` ("should not be
    available in as code tooling", says the schema) left out; they only repeat, for old
    clients, what the query and datasource already say."""
    annotations = [
        {**a, "spec": {k: v for k, v in a["spec"].items() if k != "legacyOptions"}}
        for a in spec.get("annotations", [])
    ]
    return {**spec, "annotations": annotations}


def v2_resource(uid: str, dashboard: JSON, index: DatasourceIndex) -> JSON:
    """The file of one dashboard in schema v2."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Dashboard",
        "metadata": {"name": uid},
        "spec": as_code(to_v2(dashboard, index)),
    }
