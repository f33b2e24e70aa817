"""A Grafana HTTP API emulator for tests: answers as ../shared/grafana/BEHAVIOR.md says Grafana
does, validates request bodies against Grafana's OpenAPI spec, and can inject faults."""

from .server import Fault, GrafanaEmulator, Identity

__all__ = ["Fault", "GrafanaEmulator", "Identity"]
