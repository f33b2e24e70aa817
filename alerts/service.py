"""The orchestrator API: errors, latency, and whether it is there at all."""

from alerts._phoenix import JOB, SLOS, group, panel, rule
from dashboards._phoenix import OVERVIEW

ERRORS = f"sum by (job) (rate(request_errors_total{{{JOB}}}[5m]))"
REQUESTS = f"sum by (job) (rate(requests_total{{{JOB}}}[5m]))"
P99 = (
    "histogram_quantile(0.99, sum by (job, le) "
    f"(rate(request_duration_seconds_bucket{{{JOB}}}[5m])))"
)

alertgroup = group(
    "Phoenix service",
    "30s",
    [
        rule(
            "Request error ratio high",
            "phoenix-request-error-ratio",
            f"{ERRORS}\n/\n{REQUESTS}",
            ">",
            SLOS["request_error_ratio"],
            for_="5m",
            severity="critical",
            component="api",
            summary="{{ $labels.job }} fails {{ $value | humanizePercentage }} of requests",
            description="{{ $value | humanizePercentage }} of the requests to {{ $labels.job }} "
            f"failed over 5 minutes (SLO: under {SLOS['request_error_ratio']:.0%}).",
            link=panel(OVERVIEW, "Service", "Error ratio over time"),
        ),
        rule(
            "Request latency p99 over SLO",
            "phoenix-request-latency-p99",
            P99,
            ">",
            SLOS["request_latency_p99"],
            for_="10m",
            severity="warning",
            component="api",
            summary="{{ $labels.job }} p99 latency is {{ $value | humanizeDuration }}",
            description="99% of requests to {{ $labels.job }} finish within "
            "{{ $value | humanizeDuration }}, over the "
            f"{SLOS['request_latency_p99']:g}s SLO.",
            link=panel(OVERVIEW, "Service", "Request latency"),
        ),
        rule(
            "Scrape target down",
            "phoenix-target-down",
            f"up{{{JOB}}}",
            "<",
            1,
            for_="2m",
            severity="critical",
            component="orchestrator",
            summary="{{ $labels.instance }} is down",
            description="Prometheus could not scrape {{ $labels.instance }} of {{ $labels.job }} "
            "for 2 minutes.",
            link=panel(OVERVIEW, "Service", "Request rate"),
        ),
        rule(
            "Orchestrator metrics absent",
            "phoenix-metrics-absent",
            f"absent(requests_total{{{JOB}}})",
            ">",
            0,
            for_="5m",
            severity="critical",
            component="monitoring",
            summary="No requests_total series from the orchestrator",
            description="Prometheus has no requests_total series for job phoenix: the "
            "orchestrator is not scraped or does not export its metrics.",
            link=panel(OVERVIEW, "Service", "Request rate"),
        ),
    ],
)
