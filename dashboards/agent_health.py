"""Phoenix / Agent Health: one repeated row per agent (git, llm_router, obsidian)."""

from dashboards._phoenix import (
    AGENT_HEALTH,
    GOOD_HIGH,
    agent_variable,
    phoenix_dashboard,
    prom,
    quantile,
    rate,
    ratio,
    row,
    sel,
    stat,
    steps,
    timeseries,
)

AGENT = 'agent=~"$agent"'
CALLS = rate("agent_calls_total", AGENT)
ERRORS = rate("agent_errors_total", AGENT)

per_agent = row(
    "Agent $agent",
    [
        stat(
            "Health score",
            "The agent's health score (1 = healthy).",
            prom(f"avg(agent_health_score{sel(AGENT)})"),
            "percentunit",
            GOOD_HIGH,
            w=4,
            h=8,
        ),
        timeseries(
            "Calls", "Calls per second made to the agent.", [prom(CALLS, "calls")], "ops", w=10
        ),
        timeseries("Errors", "Failed calls per second.", [prom(ERRORS, "errors")], "ops", w=10),
        timeseries(
            "Error ratio",
            "Failed calls divided by calls.",
            [prom(ratio(ERRORS, CALLS), "error ratio")],
            "percentunit",
            w=8,
            thresholds=steps(("green", 0), ("red", 0.05)),
            thresholdsStyleMode="line",
        ),
        timeseries(
            "Call duration",
            "Call duration percentiles from agent_duration_seconds.",
            [
                prom(quantile(0.5, "agent_duration_seconds", AGENT), "p50"),
                prom(quantile(0.95, "agent_duration_seconds", AGENT), "p95"),
                prom(quantile(0.99, "agent_duration_seconds", AGENT), "p99"),
            ],
            "s",
            w=8,
        ),
        timeseries(
            "Queue depth",
            "Calls waiting for the agent.",
            [prom(f"sum(agent_queue_depth{sel(AGENT)})", "queued")],
            "short",
            w=8,
        ),
    ],
    repeat="agent",
)

dashboard = phoenix_dashboard(
    AGENT_HEALTH,
    "Calls, errors, latency, queue and health of each Phoenix agent.",
    [per_agent],
    extra_variables=[agent_variable()],
)
