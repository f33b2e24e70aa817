"""Failing and passing examples of the promql/* lint rules."""

from __future__ import annotations

from .builders import CLEAN, RATE, SEL, Example, _query

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "promql/syntax": (_query("sum(rate(requests_total[5m])"), CLEAN),
    "promql/experimental-function": (
        _query(f'sort_by_label(sum by (job) (rate(requests_total{SEL}[{RATE}])), "job")'),
        CLEAN,
    ),
    "promql/histogram-quantile-le": (
        _query(
            f"histogram_quantile(0.9, sum by (job) (rate(request_duration_seconds_bucket{SEL}"
            f"[{RATE}])))"
        ),
        _query(
            f"histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket{SEL}"
            f"[{RATE}])))"
        ),
    ),
    "promql/bucket-outside-histogram-quantile": (
        _query(f"sum by (le) (rate(request_duration_seconds_bucket{SEL}[{RATE}]))"),
        _query(
            f"sum by (le) (rate(request_duration_seconds_bucket{SEL}[{RATE}]))",
            type="heatmap",
            options={},
            fieldConfig={"defaults": {}, "overrides": []},
        ),
    ),
    "promql/regex-static-string": (
        _query(
            f'sum(rate(requests_total{{job=~"$job", instance=~"$instance", status=~"500"}}'
            f"[{RATE}]))"
        ),
        _query(
            f'sum(rate(requests_total{{job=~"$job", instance=~"$instance", status=~"5.."}}'
            f"[{RATE}]))"
        ),
    ),
    "promql/regex-match-all": (
        _query(
            f'sum(rate(requests_total{{job=~"$job", instance=~"$instance", status=~".*"}}[{RATE}]))'
        ),
        CLEAN,
    ),
    "promql/division-in-aggregation": (
        _query(f"sum(rate(request_errors_total{SEL}[{RATE}]) / rate(requests_total{SEL}[{RATE}]))"),
        _query(
            f"sum(rate(request_errors_total{SEL}[{RATE}])) / sum(rate(requests_total{SEL}[{RATE}]))"
        ),
    ),
    "promql/rate-interval": (_query(f"sum(rate(requests_total{SEL}[45s]))"), CLEAN),
    "promql/job-instance-matchers": (_query(f"sum(rate(requests_total[{RATE}]))"), CLEAN),
    "promql/counter-agg": (
        _query('sum(foo_total{job="x", instance=~"$instance"})'),
        _query(f'sum(rate(foo_total{{job=~"$job", instance=~"$instance"}}[{RATE}]))'),
    ),
}
