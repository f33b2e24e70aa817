"""Tasks, plans, load and cache: is the orchestrator getting its work done?"""

from alerts._phoenix import JOB, SLOS, group, panel, rule
from dashboards._phoenix import BUSINESS, OVERVIEW, PERFORMANCE


def rate(metric: str, window: str = "10m") -> str:
    return f"sum by (job) (rate({metric}{{{JOB}}}[{window}]))"


FAILED, COMPLETED = rate("tasks_failed_total"), rate("tasks_completed_total")
QUEUE_P95 = (
    "histogram_quantile(0.95, sum by (job, le) "
    f"(rate(task_queue_time_seconds_bucket{{{JOB}}}[5m])))"
)
HITS, MISSES = rate("cache_hits_total"), rate("cache_misses_total")
STUCK = (
    f"sum by (job) (increase(tasks_queued_total{{{JOB}}}[15m]))\n"
    f"unless\nsum by (job) (increase(tasks_completed_total{{{JOB}}}[15m])) > 0"
)

alertgroup = group(
    "Phoenix tasks",
    "1m",
    [
        rule(
            "Task failure ratio high",
            "phoenix-task-failure-ratio",
            f"{FAILED}\n/\n({COMPLETED} + {FAILED})",
            ">",
            SLOS["task_failure_ratio"],
            for_="10m",
            severity="warning",
            component="tasks",
            summary="{{ $value | humanizePercentage }} of tasks fail",
            description="{{ $value | humanizePercentage }} of the tasks {{ $labels.job }} "
            "finished in the last 10 minutes failed "
            f"(threshold {SLOS['task_failure_ratio']:.0%}).",
            link=panel(BUSINESS, "Throughput", "Task failure ratio"),
        ),
        rule(
            "Task queue time high",
            "phoenix-task-queue-time",
            QUEUE_P95,
            ">",
            SLOS["task_queue_time_p95"],
            for_="10m",
            severity="warning",
            component="tasks",
            summary="Tasks wait {{ $value | humanizeDuration }} in the queue",
            description="95% of tasks waited up to {{ $value | humanizeDuration }} before "
            f"starting, over the {SLOS['task_queue_time_p95']:g}s target.",
            link=panel(PERFORMANCE, "Application Performance", "Task duration and queue time"),
        ),
        rule(
            "Task queue stuck",
            "phoenix-task-queue-stuck",
            STUCK,
            ">",
            0,
            for_="5m",
            severity="critical",
            component="tasks",
            summary="Tasks are queued but none complete",
            description="{{ $value | humanize }} tasks were queued in the last 15 minutes and "
            "none completed: the workers are stuck or gone.",
            link=panel(OVERVIEW, "Tasks and plans", "Tasks"),
        ),
        rule(
            "Plan success rate low",
            "phoenix-plan-success-rate",
            f"avg by (job) (plan_success_rate{{{JOB}}})",
            "<",
            SLOS["plan_success_rate_min"],
            for_="15m",
            severity="warning",
            component="planner",
            summary="Only {{ $value | humanizePercentage }} of plans succeed",
            description="The plan success rate is {{ $value | humanizePercentage }}, under "
            f"the {SLOS['plan_success_rate_min']:.0%} target.",
            link=panel(OVERVIEW, "Service", "Plan success rate"),
        ),
        rule(
            "System load score high",
            "phoenix-system-load-score",
            f"max by (job, instance) (system_load_score{{{JOB}}})",
            ">",
            SLOS["system_load_score_max"],
            for_="10m",
            severity="warning",
            component="orchestrator",
            summary="{{ $labels.instance }} is loaded at {{ $value | humanizePercentage }}",
            description="The system load score of {{ $labels.instance }} is "
            "{{ $value | humanizePercentage }}, over "
            f"{SLOS['system_load_score_max']:.0%}.",
            link=panel(OVERVIEW, "Service", "System load score"),
        ),
        rule(
            "Cache hit ratio low",
            "phoenix-cache-hit-ratio",
            f"{HITS}\n/\n({HITS} + {MISSES})",
            "<",
            SLOS["cache_hit_ratio_min"],
            for_="15m",
            severity="info",
            component="cache",
            summary="Cache hit ratio is {{ $value | humanizePercentage }}",
            description="Only {{ $value | humanizePercentage }} of cache lookups hit in the last "
            f"10 minutes (target {SLOS['cache_hit_ratio_min']:.0%}).",
            link=panel(PERFORMANCE, "Application Performance", "Cache hit ratio"),
        ),
    ],
)
