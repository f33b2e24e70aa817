"""The simulator's HTTP side: /metrics through prometheus_client, /scenario to switch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
    SummaryMetricFamily,
    UnknownMetricFamily,
)

from ..local_http import local_server, reply
from .model import Histogram

HELP = "Simulated by phoenix-dash simulate."
Key = tuple[tuple[str, str], ...]


class SimulatedState(Protocol):
    """What the exporter reads: the Phoenix Orchestrator's model (model.py) or any
    catalog's (catalog_model.py)."""

    lock: threading.Lock
    scenario: str
    counters: dict[str, dict[Key, float]]
    gauges: dict[str, dict[Key, float]]
    histograms: dict[str, dict[Key, Histogram]]
    summaries: dict[str, dict[Key, tuple[float, float]]]  # (count, sum)

    def advance(self) -> None: ...

    def set_scenario(self, name: str) -> None: ...


class OrchestratorCollector:
    """Reads the simulated state out as metric families at each scrape."""

    def __init__(self, orchestrator: SimulatedState) -> None:
        self.orchestrator = orchestrator

    def collect(self) -> Iterator[Metric]:
        o = self.orchestrator
        with o.lock:
            for name, series in sorted(o.counters.items()):
                labels = sorted({k for key in series for k, _ in key})
                family: Any
                if name.endswith("_total"):  # prometheus_client adds the suffix itself
                    family = CounterMetricFamily(name.removesuffix("_total"), HELP, labels=labels)
                else:  # counters the design names without _total: exposed under that name
                    family = UnknownMetricFamily(name, HELP, labels=labels)
                for key, value in sorted(series.items()):
                    family.add_metric([v for _, v in key], value)
                yield family
            for name, series in sorted(o.gauges.items()):
                labels = sorted({k for key in series for k, _ in key})
                gauge = GaugeMetricFamily(name, HELP, labels=labels)
                for key, value in sorted(series.items()):
                    gauge.add_metric([v for _, v in key], value)
                yield gauge
            for name, hists in sorted(o.histograms.items()):
                labels = sorted({k for key in hists for k, _ in key})
                histogram = HistogramMetricFamily(name, HELP, labels=labels)
                for key, h in sorted(hists.items()):
                    buckets = [
                        (_le(bound), count)
                        for bound, count in zip(h.buckets, h.counts, strict=True)
                    ]
                    buckets.append(("+Inf", h.total))
                    histogram.add_metric([v for _, v in key], buckets, h.sum)
                yield histogram
            for name, summaries in sorted(o.summaries.items()):
                labels = sorted({k for key in summaries for k, _ in key})
                summary = SummaryMetricFamily(name, HELP, labels=labels)
                for key, (count, total) in sorted(summaries.items()):
                    summary.add_metric([v for _, v in key], int(count), total)  # whole
                yield summary


def _le(bound: float) -> str:
    return repr(float(bound))


class Simulator:
    """An exporter on ``host:port`` (0: a free port); ``url`` is its base URL."""

    def __init__(self, orchestrator: SimulatedState, host: str = "127.0.0.1", port: int = 0):
        self.orchestrator = orchestrator
        self.registry = CollectorRegistry()
        self.registry.register(OrchestratorCollector(orchestrator))

        self.server, self.url = local_server(host, port, self._get, self._post)

    def start(self) -> Simulator:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _get(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        if path == "/metrics":
            if self.orchestrator.scenario == "exporter_down":
                reply(request, 503, b"exporter down (simulated)\n")
                return
            self.orchestrator.advance()
            reply(
                request,
                200,
                generate_latest(self.registry),
                "text/plain; version=0.0.4; charset=utf-8",
            )
        elif path == "/scenario":
            reply(request, 200, f"{self.orchestrator.scenario}\n".encode())
        else:
            reply(request, 404, b"try /metrics or /scenario\n")

    def _post(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        name = (parse_qs(parts.query).get("name") or [parts.path.removeprefix("/scenario/")])[0]
        if not parts.path.startswith("/scenario"):
            reply(request, 404, b"POST /scenario?name=<scenario>\n")
            return
        try:
            self.orchestrator.set_scenario(name)
        except ValueError as exc:
            reply(request, 400, f"{exc}\n".encode())
            return
        reply(request, 200, f"{name}\n".encode())
