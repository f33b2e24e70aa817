"""Dashboard schema v2 (``dashboard.grafana.app/v2``): converting phoenix-dash's v1 model to
the schema Grafana 13 stores, in agreement with Grafana's own converter."""

from .common import DatasourceIndex
from .dashboard import beta1_to_v2, to_v2, to_v2beta1

__all__ = ["DatasourceIndex", "beta1_to_v2", "to_v2", "to_v2beta1"]
