"""Failing and passing examples of the panel/* lint rules."""

from __future__ import annotations

from .builders import CLEAN, RATE, Example, _dash, _query, panel, target

ONE = 'sum(rate(requests_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))'
TWO = 'sum(rate(errors_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))'

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "panel/duplicate-ref-id": (
        _dash(None, panel(targets=[target(ONE), target(TWO)])),
        _dash(None, panel(targets=[target(ONE), target(TWO, refId="B")])),
    ),
    "panel/id-unique": (
        _dash(None, panel("a"), panel("b", gridPos={"x": 12, "y": 0, "w": 12, "h": 8})),
        _dash(None, panel("a"), panel("b", id=2, gridPos={"x": 12, "y": 0, "w": 12, "h": 8})),
    ),
    "panel/grid-bounds": (_dash(None, panel(gridPos={"x": 20, "y": 0, "w": 8, "h": 8})), CLEAN),
    "panel/grid-overlap": (
        _dash(None, panel("a"), panel("b", id=2)),
        _dash(None, panel("a"), panel("b", id=2, gridPos={"x": 0, "y": 8, "w": 12, "h": 8})),
    ),
    "panel/options-schema": (
        _dash(None, panel(options={"legend": {"displayMode": "nope"}})),
        CLEAN,
    ),
    "panel/options-unknown-key": (
        _dash(
            None,
            panel(
                options={
                    "legend": {
                        "displayMode": "list",
                        "placement": "bottom",
                        "showLegend": True,
                        "calcs": [],
                        "placment": "x",
                    }
                }
            ),
        ),
        CLEAN,
    ),
    "panel/options-defaults": (_dash(None, panel(options={"legend": {"showLegend": True}})), CLEAN),
    "panel/angular": (_dash(None, panel(type="graph")), CLEAN),
    "panel/no-targets": (_dash(None, panel(targets=[])), CLEAN),
    "panel/missing-title": (_dash(None, panel(title="")), CLEAN),
    "panel/missing-description": (_dash(None, panel(description="")), CLEAN),
    "panel/unknown-unit": (
        _dash(None, panel(fieldConfig={"defaults": {"unit": "requests"}, "overrides": []})),
        CLEAN,
    ),
    "panel/repeat-undefined-variable": (
        _dash(None, panel(repeat="agent")),
        _dash(None, panel(repeat="job")),
    ),
    "panel/undefined-variable": (
        _query(f'sum(rate(requests_total{{agent="$agent"}}[{RATE}]))'),
        CLEAN,
    ),
    "panel/datasource-variable": (
        _dash(None, panel(datasource={"type": "prometheus", "uid": "prom-1"})),
        CLEAN,
    ),
}
