"""Dashboard schema v2 (``dashboard.grafana.app/v2``): converting phoenix-dash's v1 model to
the schema Grafana 13 stores, in agreement with Grafana's own converter.

The converters load on first use: a v1 project's build needs only ``DatasourceIndex``."""

from typing import Any

from .common import DatasourceIndex

__all__ = ["DatasourceIndex", "beta1_to_v2", "to_v2", "to_v2beta1"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import dashboard

        return getattr(dashboard, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
