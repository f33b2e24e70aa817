"""The lint rules; importing this package registers them all."""

from . import alerts, dashboards, datasources, panels, queries, templating

__all__ = ["alerts", "dashboards", "datasources", "panels", "queries", "templating"]
