"""phoenix-dash: dashboards and alerts as code, grafanalib in, modern Grafana JSON out."""

__version__ = "0.1.0"
