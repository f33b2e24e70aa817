"""The layer between grafanalib and Grafana 12: from schemaVersion 12 to 42."""

from .dashboard import SCHEMA_VERSION, ModernizeContext, modernize_dashboard

__all__ = ["SCHEMA_VERSION", "ModernizeContext", "modernize_dashboard"]
