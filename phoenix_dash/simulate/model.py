"""What the simulated orchestrator does: traffic with a daily shape, requests and their
latency, tasks flowing from the queue to done or failed, agents, the cache, the host. Failure
scenarios change it at run time. Time advances in ``tick``; ``families`` reads it out."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

SCENARIOS = (
    "normal",
    "cpu_spike",
    "memory_leak",
    "disk_filling",
    "agent_errors",
    "stuck_queue",
    "exporter_down",
)
AGENTS = ("git", "llm_router", "obsidian")
GIB = 2**30

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SIZE_BUCKETS = (256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0)
TASK_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def lognormal_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * (1 + math.erf(math.log(x / median) / (sigma * math.sqrt(2))))


@dataclass
class Histogram:
    buckets: tuple[float, ...]
    median: float
    sigma: float
    counts: list[float] = field(default_factory=list)
    total: float = 0.0
    sum: float = 0.0

    def __post_init__(self) -> None:
        self.counts = [0.0] * len(self.buckets)

    def observe_many(self, n: float) -> None:
        """Add ``n`` observations spread as a log-normal distribution (no sampling noise)."""
        centre = self.median
        for index, bound in enumerate(self.buckets):
            self.counts[index] += n * lognormal_cdf(bound, centre, self.sigma)
        self.total += n
        self.sum += n * centre * math.exp(self.sigma**2 / 2)


class Ticking(Protocol):
    lock: threading.Lock
    last: float

    def tick(self, dt: float) -> None: ...


def advance(state: Ticking) -> None:
    """Move a simulated state on by the time since it last moved (at each scrape)."""
    now = time.monotonic()
    with state.lock:
        state.tick(now - state.last)
        state.last = now


def series_key(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


class Orchestrator:
    """The simulated state. Thread-safe: a ticker thread advances it, scrapes read it."""

    def __init__(self, seed: int = 1, base_rps: float = 100.0) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.base_rps = base_rps
        self.scenario = "normal"
        self.scenario_since = time.monotonic()
        self.counters: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
        self.histograms: dict[str, dict[tuple[tuple[str, str], ...], Histogram]] = {}
        self.gauges: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
        self.summaries: dict[str, dict[tuple[tuple[str, str], ...], tuple[float, float]]] = {}
        self.last = time.monotonic()
        self.tick(0.0)

    def set_scenario(self, name: str) -> None:
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
        with self.lock:
            self.scenario = name
            self.scenario_since = time.monotonic()

    def _add(self, metric: str, rate: float, dt: float, **labels: str) -> None:
        series = self.counters.setdefault(metric, {})
        key = series_key(**labels)
        series[key] = series.get(key, 0.0) + max(rate, 0.0) * dt

    def _observe(
        self,
        metric: str,
        rate: float,
        dt: float,
        shape: tuple[tuple[float, ...], float, float],
        **labels: str,
    ) -> None:
        """``shape``: (bucket bounds, median, sigma) of the observed values."""
        series = self.histograms.setdefault(metric, {})
        key = series_key(**labels)
        if key not in series:
            series[key] = Histogram(*shape)
        series[key].observe_many(max(rate, 0.0) * dt)

    def _set(self, metric: str, value: float, **labels: str) -> None:
        self.gauges.setdefault(metric, {})[series_key(**labels)] = value

    def advance(self) -> None:
        advance(self)

    def tick(self, dt: float) -> None:
        s = self.scenario
        elapsed = time.monotonic() - self.scenario_since
        daily = 1 + 0.3 * math.sin(2 * math.pi * (time.time() % 86400) / 86400)
        rps = self.base_rps * daily * (0.95 + 0.1 * self.rng.random())
        error_ratio = 0.01
        for method, m_share in (("GET", 0.7), ("POST", 0.3)):
            for endpoint, e_share in (("/api/plans", 0.6), ("/api/tasks", 0.4)):
                share = rps * m_share * e_share
                labels = {"method": method, "endpoint": endpoint}
                self._add("requests_total", share * (1 - error_ratio), dt, status="200", **labels)
                self._add("requests_total", share * error_ratio, dt, status="500", **labels)
                for error_type in ("timeout", "internal"):
                    self._add(
                        "request_errors_total",
                        share * error_ratio / 2,
                        dt,
                        error_type=error_type,
                        **labels,
                    )
                self._observe(
                    "request_duration_seconds", share, dt, (LATENCY_BUCKETS, 0.08, 0.6), **labels
                )
                self._observe("request_size_bytes", share, dt, (SIZE_BUCKETS, 2048, 1.0), **labels)
                self._observe("response_size_bytes", share, dt, (SIZE_BUCKETS, 8192, 1.0), **labels)
        self._tasks(dt, s)
        self._agents(dt, s)
        self._cache(dt, rps)
        self._host(dt, s, elapsed, daily)
        self._set("open_connections", 40 * daily)
        self._set("goroutines_total", 180 + 20 * daily)
        self._set("file_descriptors", 230)
        self._set("plan_success_rate", 0.97)
        self._set("system_load_score", 0.35 * daily)

    def _tasks(self, dt: float, scenario: str) -> None:
        stuck = scenario == "stuck_queue"
        for task_type, share in (("plan", 0.5), ("execute", 0.5)):
            queued = 10 * share
            self._add("tasks_queued_total", queued, dt, task_type=task_type)
            self._add(
                "tasks_completed_total", 0 if stuck else queued * 0.98, dt, task_type=task_type
            )
            self._add("tasks_failed_total", 0 if stuck else queued * 0.02, dt, task_type=task_type)
            done = 0 if stuck else queued
            self._observe(
                "task_duration_seconds", done, dt, (TASK_BUCKETS, 2.0, 0.7), task_type=task_type
            )
            self._observe(
                "task_queue_time_seconds", done, dt, (TASK_BUCKETS, 1.5, 0.6), task_type=task_type
            )

    def _agents(self, dt: float, scenario: str) -> None:
        for agent, calls, latency in (
            ("git", 6.0, 0.2),
            ("llm_router", 3.0, 1.5),
            ("obsidian", 1.0, 0.1),
        ):
            burst = scenario == "agent_errors" and agent == "git"
            errors = 0.3 if burst else 0.01
            self._add("agent_calls_total", calls, dt, agent=agent)
            self._add("agent_errors_total", calls * errors, dt, agent=agent)
            self._observe(
                "agent_duration_seconds", calls, dt, (LATENCY_BUCKETS, latency, 0.5), agent=agent
            )
            self._set("agent_queue_depth", 2 + self.rng.random() * 3, agent=agent)
            self._set("agent_health_score", 0.95, agent=agent)

    def _cache(self, dt: float, rps: float) -> None:
        self._add("cache_hits_total", rps * 0.9, dt, cache="plans")
        self._add("cache_misses_total", rps * 0.1, dt, cache="plans")
        self._add("cache_evictions_total", rps * 0.01, dt, cache="plans")
        self._set("cache_size_bytes", 512 * 2**20, cache="plans")
        self._set("cache_items_total", 12000, cache="plans")

    def _host(self, dt: float, scenario: str, elapsed: float, daily: float) -> None:
        cores = 30.0 if scenario == "cpu_spike" else 4.0 * daily
        self._add("process_cpu_seconds_total", cores, dt)
        leak = min(elapsed / 5, 1.0) if scenario == "memory_leak" else 0.0
        resident = (8 + 50 * leak) * GIB  # up to 58Gi: 90 % of the 64Gi limit
        self._set("process_resident_memory_bytes", resident)
        self._set("memory_usage_bytes", resident * 0.9)
        self._set("cpu_usage_percent", min(cores / 32 * 100, 100))
        self._set("cpu_user_percent", 20 * daily)
        self._set("cpu_system_percent", 8 * daily)
        self._set("cpu_iowait_percent", 2.0)
        self._set("memory_used_bytes", 24 * GIB + resident)
        self._set("memory_available_bytes", 96 * GIB - resident)
        self._set("memory_cached_bytes", 12 * GIB)
        self._set("memory_swap_used_bytes", 0.0)
        filling = min(elapsed / 5, 1.0) if scenario == "disk_filling" else 0.0
        self._set("disk_usage_bytes", (100 + 320 * filling) * GIB, device="sda")
        self._add("disk_io_reads", 120, dt, device="sda")
        self._add("disk_io_writes", 80, dt, device="sda")
        self._set("disk_io_queue", 1.5, device="sda")
        for direction, bytes_rate in (("in", 5e6), ("out", 8e6)):
            self._add(f"network_bytes_{direction}", bytes_rate, dt, interface="eth0")
            self._add(f"network_packets_{direction}", bytes_rate / 1200, dt, interface="eth0")
            self._add("network_errors", 0.01, dt, interface="eth0", direction=direction)
