"""Phoenix / Overview: is the orchestrator healthy right now?"""

from grafanalib.core import AlertList, Logs, Target

from dashboards._phoenix import (
    GOOD_HIGH,
    GOOD_LOW,
    OVERVIEW,
    SERVICE_ERROR_RATIO,
    phoenix_dashboard,
    prom,
    quantile,
    rate,
    ratio,
    row,
    sel,
    size,
    stat,
    steps,
    timeseries,
)

ERRORS = rate("request_errors_total")
REQUESTS = rate("requests_total")

service = row(
    "Service",
    [
        stat(
            "Request rate",
            "Requests per second across the selected instances.",
            prom(REQUESTS),
            "reqps",
        ),
        SERVICE_ERROR_RATIO(),
        stat(
            "Latency p99",
            "99th percentile request latency.",
            prom(quantile(0.99, "request_duration_seconds")),
            "s",
            steps(("green", 0), ("orange", 0.5), ("red", 1)),
        ),
        stat(
            "Agent health score",
            "Lowest health score among the agents (1 = healthy).",
            prom(f"min(agent_health_score{sel()})"),
            "percentunit",
            GOOD_HIGH,
        ),
        stat(
            "System load score",
            "Overall load of the orchestrator (1 = saturated).",
            prom(f"max(system_load_score{sel()})"),
            "percentunit",
            GOOD_LOW,
        ),
        stat(
            "Plan success rate",
            "Share of plans that succeeded.",
            prom(f"avg(plan_success_rate{sel()})"),
            "percentunit",
            GOOD_HIGH,
        ),
        timeseries(
            "Request rate by status",
            "Requests per second, split by response status.",
            [prom(rate("requests_total", by="status"), "{{status}}")],
            "reqps",
        ),
        timeseries(
            "Error ratio over time",
            "Errors divided by requests over the rate window.",
            [prom(ratio(ERRORS, REQUESTS), "error ratio")],
            "percentunit",
        ),
        timeseries(
            "Request latency",
            "Request latency percentiles from request_duration_seconds.",
            [
                prom(quantile(0.5, "request_duration_seconds"), "p50"),
                prom(quantile(0.95, "request_duration_seconds"), "p95"),
                prom(quantile(0.99, "request_duration_seconds"), "p99"),
            ],
            "s",
        ),
        timeseries(
            "Open connections",
            "Client connections currently open, per instance.",
            [prom(f"sum by (instance)(open_connections{sel()})", "{{instance}}")],
            "short",
        ),
    ],
)

work = row(
    "Tasks and plans",
    [
        timeseries(
            "Tasks",
            "Tasks queued, completed and failed per second.",
            [
                prom(rate("tasks_queued_total"), "queued"),
                prom(rate("tasks_completed_total"), "completed"),
                prom(rate("tasks_failed_total"), "failed"),
            ],
            "ops",
        ),
        timeseries(
            "Plan success rate",
            "Share of plans that succeeded over time.",
            [prom(f"avg(plan_success_rate{sel()})", "success rate")],
            "percentunit",
            valueMin=0,
            valueMax=1,
        ),
    ],
)

logs_and_alerts = row(
    "Errors and alerts",
    [
        Logs(
            title="Recent errors",
            description="Error-level entries from the orchestrator's structured (JSON) logs.",
            dataSource="loki",
            targets=[
                Target(
                    expr='{job=~"$job", instance=~"$instance"} | json | level="error"'
                    ' | line_format "{{.component}}: {{.message}}"'
                )
            ],
            showTime=True,
            wrapLogMessages=True,
            enableLogDetails=True,
            gridPos=size(16, 10),
        ),
        AlertList(
            title="Firing alerts",
            description="Phoenix alerts that are firing or pending.",
            stateFilter=["alerting", "pending"],
            onlyAlertsOnDashboard=False,
            limit=20,
            gridPos=size(8, 10),
        ),
    ],
)

dashboard = phoenix_dashboard(
    OVERVIEW,
    "Health of the Phoenix Orchestrator at a glance: traffic, errors, latency, work and alerts.",
    [service, work, logs_and_alerts],
)
