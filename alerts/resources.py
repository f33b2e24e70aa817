"""Resource quotas: CPU, memory and storage against the Phoenix resource plan."""

from alerts._phoenix import JOB, QUOTAS, group, panel, rule
from dashboards._phoenix import PERFORMANCE

CPU = f"sum by (job, instance) (rate(process_cpu_seconds_total{{{JOB}}}[5m]))"
MEMORY = f"sum by (job, instance) (process_resident_memory_bytes{{{JOB}}})"
STORAGE = f"sum by (job, instance, device) (disk_usage_bytes{{{JOB}}})"

cpu, memory, storage = QUOTAS["cpu"], QUOTAS["memory"], QUOTAS["storage"]

alertgroup = group(
    "Phoenix resources",
    "1m",
    [
        rule(
            "CPU usage over quota",
            "phoenix-cpu-over-quota",
            CPU,
            ">",
            cpu["alert_at"] * cpu["limit"],
            for_="5m",
            severity="warning",
            component="orchestrator",
            summary="CPU usage of {{ $labels.instance }} is over its quota",
            description="{{ $labels.instance }} uses {{ $value | humanize }} cores, over "
            f"{cpu['alert_at']:.0%} of its {cpu['limit']:g}-core limit.",
            link=panel(PERFORMANCE, "System Performance", "CPU usage"),
        ),
        rule(
            "CPU usage above request",
            "phoenix-cpu-above-request",
            CPU,
            ">",
            cpu["request"],
            for_="30m",
            severity="info",
            component="orchestrator",
            summary="CPU usage of {{ $labels.instance }} is above its request",
            description="{{ $labels.instance }} has used {{ $value | humanize }} cores for 30 "
            f"minutes, more than the {cpu['request']:g} cores it requests.",
            link=panel(PERFORMANCE, "System Performance", "CPU usage"),
        ),
        rule(
            "Memory usage over quota",
            "phoenix-memory-over-quota",
            MEMORY,
            ">",
            memory["alert_at"] * memory["limit"],
            for_="5m",
            severity="critical",
            component="orchestrator",
            summary="Memory of {{ $labels.instance }} is close to its limit",
            description="{{ $labels.instance }} holds {{ $value | humanize1024 }}B resident, over "
            f"{memory['alert_at']:.0%} of its limit; it will be OOM-killed at the limit.",
            link=panel(PERFORMANCE, "System Performance", "Process memory"),
        ),
        rule(
            "Memory usage above request",
            "phoenix-memory-above-request",
            MEMORY,
            ">",
            memory["request"],
            for_="30m",
            severity="info",
            component="orchestrator",
            summary="Memory of {{ $labels.instance }} is above its request",
            description="{{ $labels.instance }} has held {{ $value | humanize1024 }}B for 30 "
            "minutes, more than it requests.",
            link=panel(PERFORMANCE, "System Performance", "Process memory"),
        ),
        rule(
            "Storage usage over quota",
            "phoenix-storage-over-quota",
            STORAGE,
            ">",
            storage["alert_at"] * storage["limit"],
            for_="10m",
            severity="warning",
            component="storage",
            summary="Disk {{ $labels.device }} of {{ $labels.instance }} is filling up",
            description="{{ $labels.device }} on {{ $labels.instance }} holds "
            "{{ $value | humanize1024 }}B, over "
            f"{storage['alert_at']:.0%} of the storage quota.",
            link=panel(PERFORMANCE, "System Performance", "Disk usage"),
        ),
        rule(
            "Storage usage above request",
            "phoenix-storage-above-request",
            STORAGE,
            ">",
            storage["request"],
            for_="1h",
            severity="info",
            component="storage",
            summary="Disk {{ $labels.device }} of {{ $labels.instance }} is above its request",
            description="{{ $labels.device }} on {{ $labels.instance }} has held "
            "{{ $value | humanize1024 }}B for an hour, more than the storage request.",
            link=panel(PERFORMANCE, "System Performance", "Disk usage"),
        ),
    ],
)
