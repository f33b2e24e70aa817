"""Failing and passing examples of the catalog/* lint rules."""

from __future__ import annotations

from .builders import CLEAN, RATE, SEL, Example, _query

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "catalog/counter-without-rate": (_query(f"sum(requests_total{SEL})"), CLEAN),
    "catalog/rate-on-gauge": (_query(f"sum(rate(open_connections{SEL}[{RATE}]))"), CLEAN),
    "catalog/quantile-of-non-histogram": (
        _query(f"histogram_quantile(0.9, sum by (le) (rate(requests_total{SEL}[{RATE}])))"),
        _query(
            f"histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket{SEL}"
            f"[{RATE}])))"
        ),
    ),
    "catalog/unknown-metric": (_query(f"sum(rate(request_total{SEL}[{RATE}]))"), CLEAN),
    "catalog/unknown-label": (
        _query(f"sum by (agent) (rate(requests_total{SEL}[{RATE}]))"),
        _query(f"sum by (status) (rate(requests_total{SEL}[{RATE}]))"),
    ),
    "catalog/range-too-short": (
        _query(f"sum(rate(requests_total{SEL}[20s]))"),
        _query(f"sum(rate(requests_total{SEL}[1m]))"),
    ),
}
