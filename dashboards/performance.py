"""Phoenix / Performance: where does the time and the hardware go?"""

from grafanalib.core import Heatmap, HeatmapColor, YAxis

from dashboards._phoenix import (
    DATASOURCE,
    PERFORMANCE,
    RATE,
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

system = row(
    "System Performance",
    [
        timeseries(
            "CPU usage",
            "CPU time used by the orchestrator process, as a share of one core.",
            [
                prom(
                    f"sum by (instance)(rate(process_cpu_seconds_total{sel()}[{RATE}]))",
                    "{{instance}}",
                )
            ],
            "percentunit",
        ),
        timeseries(
            "Host CPU usage",
            "CPU usage of the host as reported by the orchestrator.",
            [prom(f"avg by (instance)(cpu_usage_percent{sel()})", "{{instance}}")],
            "percent",
            valueMin=0,
            valueMax=100,
        ),
        timeseries(
            "CPU by mode",
            "Host CPU time in user, kernel and IO-wait mode.",
            [
                prom(f"avg(cpu_user_percent{sel()})", "user"),
                prom(f"avg(cpu_system_percent{sel()})", "system"),
                prom(f"avg(cpu_iowait_percent{sel()})", "iowait"),
            ],
            "percent",
            valueMin=0,
            valueMax=100,
            stacking={"mode": "normal", "group": "A"},
        ),
        timeseries(
            "Process memory",
            "Resident memory of the process and memory the orchestrator reports in use.",
            [
                prom(
                    f"sum by (instance)(process_resident_memory_bytes{sel()})",
                    "resident {{instance}}",
                ),
                prom(f"sum by (instance)(memory_usage_bytes{sel()})", "in use {{instance}}"),
            ],
            "bytes",
        ),
        timeseries(
            "Host memory",
            "Host memory used, available, used for caches, and swap in use.",
            [
                prom(f"sum(memory_used_bytes{sel()})", "used"),
                prom(f"sum(memory_available_bytes{sel()})", "available"),
                prom(f"sum(memory_cached_bytes{sel()})", "cached"),
                prom(f"sum(memory_swap_used_bytes{sel()})", "swap used"),
            ],
            "bytes",
        ),
        timeseries(
            "Disk usage",
            "Disk space used per device.",
            [prom(f"sum by (device)(disk_usage_bytes{sel()})", "{{device}}")],
            "bytes",
        ),
        timeseries(
            "Disk IO",
            "Disk read and write operations per second.",
            [prom(rate("disk_io_reads"), "reads"), prom(rate("disk_io_writes"), "writes")],
            "iops",
        ),
        timeseries(
            "Disk IO queue",
            "Disk IO requests in flight per device.",
            [prom(f"sum by (device)(disk_io_queue{sel()})", "{{device}}")],
            "short",
        ),
        timeseries(
            "Network traffic",
            "Bytes per second received and sent.",
            [prom(rate("network_bytes_in"), "in"), prom(rate("network_bytes_out"), "out")],
            "Bps",
        ),
        timeseries(
            "Network packets",
            "Packets per second received and sent.",
            [prom(rate("network_packets_in"), "in"), prom(rate("network_packets_out"), "out")],
            "pps",
        ),
        timeseries(
            "Network errors",
            "Network errors per second, by direction.",
            [prom(rate("network_errors", by="direction"), "{{direction}}")],
            "cps",
            w=24,
        ),
    ],
)

latency_heatmap = Heatmap(
    title="Request latency distribution",
    description="Requests per latency bucket of request_duration_seconds.",
    dataSource=DATASOURCE,
    targets=[prom(rate("request_duration_seconds_bucket", by="le"), "{{le}}", fmt="heatmap")],
    dataFormat="tsbuckets",
    yBucketBound="upper",
    hideZeroBuckets=True,
    color=HeatmapColor(mode="spectrum", colorScheme="interpolateOranges"),
    yAxis=YAxis(format="s"),
    gridPos=size(24, 9),
)

application = row(
    "Application Performance",
    [
        timeseries(
            "Request rate",
            "Requests per second by endpoint.",
            [prom(rate("requests_total", by="endpoint"), "{{endpoint}}")],
            "reqps",
            w=9,
        ),
        SERVICE_ERROR_RATIO(gridPos=size(6, 8)),
        timeseries(
            "Error rate",
            "Failed requests per second by error type.",
            [prom(rate("request_errors_total", by="error_type"), "{{error_type}}")],
            "reqps",
            w=9,
        ),
        latency_heatmap,
        timeseries(
            "Request and response size",
            "95th percentile body sizes.",
            [
                prom(quantile(0.95, "request_size_bytes"), "request p95"),
                prom(quantile(0.95, "response_size_bytes"), "response p95"),
            ],
            "bytes",
        ),
        timeseries(
            "Task duration and queue time",
            "95th percentile task run time and queue wait.",
            [
                prom(quantile(0.95, "task_duration_seconds"), "duration p95"),
                prom(quantile(0.95, "task_queue_time_seconds"), "queue time p95"),
            ],
            "s",
        ),
        stat(
            "Cache hit ratio",
            "Cache lookups served from the cache.",
            prom(
                ratio(
                    rate("cache_hits_total"),
                    f"({rate('cache_hits_total')} + {rate('cache_misses_total')})",
                )
            ),
            "percentunit",
            steps(("red", 0), ("orange", 0.7), ("green", 0.85)),
            w=6,
            h=8,
        ),
        timeseries(
            "Cache size",
            "Memory held by the cache.",
            [prom(f"sum by (cache)(cache_size_bytes{sel()})", "{{cache}}")],
            "bytes",
            w=6,
        ),
        timeseries(
            "Cache items",
            "Entries in the cache.",
            [prom(f"sum by (cache)(cache_items_total{sel()})", "{{cache}}")],
            "short",
            w=6,
        ),
        timeseries(
            "Cache evictions",
            "Entries evicted per second.",
            [prom(rate("cache_evictions_total", by="cache"), "{{cache}}")],
            "cps",
            w=6,
        ),
        timeseries(
            "Goroutines",
            "Concurrent workers running.",
            [prom(f"sum by (instance)(goroutines_total{sel()})", "{{instance}}")],
            "short",
        ),
        timeseries(
            "File descriptors",
            "Open file descriptors.",
            [prom(f"sum by (instance)(file_descriptors{sel()})", "{{instance}}")],
            "short",
        ),
    ],
)

dashboard = phoenix_dashboard(
    PERFORMANCE,
    "Resource use of the orchestrator and its hosts, and application-level performance.",
    [system, application],
)
