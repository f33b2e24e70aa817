"""The agents (git, llm_router, obsidian): errors, queues and health, per agent."""

from grafanalib.core import AlertRulev9

from alerts._phoenix import AGENTS, JOB, SLOS, group, panel, rule
from dashboards._phoenix import AGENT_HEALTH

ROW = "Agent $agent"


def error_ratio(agent: str) -> str:
    selector = f'{{{JOB}, agent="{agent}"}}'
    return (
        f"sum by (job, agent) (rate(agent_errors_total{selector}[5m]))\n/\n"
        f"sum by (job, agent) (rate(agent_calls_total{selector}[5m]))"
    )


def per_agent(agent: str, limits: dict[str, float]) -> list[AlertRulev9]:
    slug = agent.replace("_", "-")
    return [
        rule(
            f"Agent {agent} error ratio high",
            f"phoenix-agent-{slug}-errors",
            error_ratio(agent),
            ">",
            limits["error_ratio"],
            for_="5m",
            severity="warning",
            component="agents",
            summary=f"Agent {agent} fails {{{{ $value | humanizePercentage }}}} of calls",
            description=f"{{{{ $value | humanizePercentage }}}} of the calls to the {agent} "
            f"agent failed over 5 minutes (threshold {limits['error_ratio']:.0%}).",
            link=panel(AGENT_HEALTH, ROW, "Error ratio"),
        ),
        rule(
            f"Agent {agent} queue depth high",
            f"phoenix-agent-{slug}-queue",
            f'max by (job, agent) (agent_queue_depth{{{JOB}, agent="{agent}"}})',
            ">",
            limits["queue_depth"],
            for_="10m",
            severity="warning",
            component="agents",
            summary=f"{{{{ $value | humanize }}}} calls wait for the {agent} agent",
            description=f"The {agent} agent has had {{{{ $value | humanize }}}} calls queued "
            f"for 10 minutes (threshold {limits['queue_depth']:g}).",
            link=panel(AGENT_HEALTH, ROW, "Queue depth"),
        ),
    ]


alertgroup = group(
    "Phoenix agents",
    "1m",
    [
        *(r for agent, limits in AGENTS.items() for r in per_agent(agent, limits)),
        rule(
            "Agent health score low",
            "phoenix-agent-health-score",
            f"min by (job, agent) (agent_health_score{{{JOB}}})",
            "<",
            SLOS["agent_health_score_min"],
            for_="10m",
            severity="warning",
            component="agents",
            summary="Agent {{ $labels.agent }} health is {{ $value | humanizePercentage }}",
            description="The health score of the {{ $labels.agent }} agent is "
            "{{ $value | humanizePercentage }}, under "
            f"{SLOS['agent_health_score_min']:.0%}.",
            link=panel(AGENT_HEALTH, ROW, "Health score"),
        ),
    ],
)
