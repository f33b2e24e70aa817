"""Phoenix / Business Metrics: is the orchestrator doing its job?"""

from grafanalib.core import BarGauge, GaugePanel

from dashboards._phoenix import (
    BUSINESS,
    DATASOURCE,
    GOOD_HIGH,
    GOOD_LOW,
    phoenix_dashboard,
    prom,
    rate,
    ratio,
    row,
    sel,
    size,
    stat,
    steps,
    timeseries,
)

FAILED = rate("tasks_failed_total")
FINISHED = f"({rate('tasks_completed_total')} + {FAILED})"

outcomes = row(
    "Outcomes",
    [
        stat(
            "Plan success rate",
            "Share of plans that succeeded, now.",
            prom(f"avg(plan_success_rate{sel()})"),
            "percentunit",
            GOOD_HIGH,
            w=6,
            h=6,
        ),
        BarGauge(
            title="Agent health score",
            description="Health score of each agent (1 = healthy).",
            dataSource=DATASOURCE,
            targets=[prom(f"avg by (agent)(agent_health_score{sel()})", "{{agent}}")],
            format="percentunit",
            min=0,
            max=1,
            displayMode="gradient",
            thresholds=GOOD_HIGH,
            gridPos=size(12, 6),
        ),
        GaugePanel(
            title="System load score",
            description="Overall load of the orchestrator (1 = saturated).",
            dataSource=DATASOURCE,
            targets=[prom(f"max(system_load_score{sel()})")],
            format="percentunit",
            min=0,
            max=1,
            calc="lastNotNull",
            thresholds=GOOD_LOW,
            gridPos=size(6, 6),
        ),
        timeseries(
            "Plan success rate over time",
            "Share of plans that succeeded.",
            [prom(f"avg(plan_success_rate{sel()})", "success rate")],
            "percentunit",
            w=24,
            valueMin=0,
            valueMax=1,
        ),
    ],
)

throughput = row(
    "Throughput",
    [
        timeseries(
            "Task throughput",
            "Tasks finished per second, completed and failed.",
            [prom(rate("tasks_completed_total"), "completed"), prom(FAILED, "failed")],
            "ops",
        ),
        timeseries(
            "Task failure ratio",
            "Failed tasks divided by finished tasks.",
            [prom(ratio(FAILED, FINISHED), "failure ratio")],
            "percentunit",
            thresholds=steps(("green", 0), ("red", 0.05)),
            thresholdsStyleMode="line",
        ),
        timeseries(
            "Agent calls by agent",
            "Calls per second made to each agent.",
            [prom(rate("agent_calls_total", by="agent"), "{{agent}}")],
            "ops",
            w=24,
            stacking={"mode": "normal", "group": "A"},
            fillOpacity=20,
        ),
    ],
)

dashboard = phoenix_dashboard(
    BUSINESS,
    "What the orchestrator delivers: plan success, task throughput and failures, agent use.",
    [outcomes, throughput],
)
