"""The lint rules; importing this package registers them all."""

from . import alerts, dashboards, panels, queries, templating

__all__ = ["alerts", "dashboards", "panels", "queries", "templating"]
