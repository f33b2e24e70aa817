"""Failing and passing examples of the datasource/* lint rules."""

from __future__ import annotations

from .builders import (
    CLEAN,
    CLEAN_ALERT,
    Example,
    _alert,
    _dash,
    _set,
    datasource,
    panel,
)

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "datasource/plain-string": (_dash(None, panel(datasource="Prometheus")), CLEAN),
    "datasource/unknown-uid": (
        _dash(None, panel(datasource={"type": "prometheus", "uid": "no-such-uid"})),
        CLEAN,
    ),
    "datasource/alert-uid": (
        _alert(_set(["data", 0, "datasourceUid"], "no-such-uid")),
        CLEAN_ALERT,
    ),
    "datasource/correlation-target": (
        ([], [], [datasource("tempo", jsonData={"tracesToLogsV2": {"datasourceUid": "gone"}})]),
        ([], [], [datasource("tempo", jsonData={"tracesToLogsV2": {"datasourceUid": "prom"}})]),
    ),
    "datasource/url": (
        ([], [], [datasource("prom", url="prometheus:9090")]),
        ([], [], [datasource("prom")]),
    ),
    "datasource/secret-literal": (
        ([], [], [datasource("prom", jsonData={"httpHeaderValue1": "x", "apiToken": "abc"})]),
        ([], [], [datasource("prom", jsonData={"timeInterval": "15s"})]),
    ),
}
