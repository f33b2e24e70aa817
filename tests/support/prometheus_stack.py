"""A real Prometheus (Debian's package) scraping the simulator every second, for tests."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import niquests
import yaml

from phoenix_dash.quantities import format_duration, parse_duration
from phoenix_dash.simulate.model import Orchestrator
from phoenix_dash.simulate.server import SimulatedState, Simulator
from tests.support.project import require

TIME_FACTOR = 120  # 5m -> 4s windows (at least), 1h `for` -> 30 s


def require_prometheus() -> None:
    require(
        shutil.which("prometheus") is not None,
        "Prometheus not installed (Debian: apt-get install prometheus)",
    )


RANGE_RE = re.compile(r"\[(\d+[smhdwy](?:\d+[smhdwy])*)(:?)\]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def end_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a server this test started: politely, then not."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def compress_rules(rules: bytes, factor: float, min_range: float = 4.0) -> str:
    """The rule file with time squeezed ``factor`` times (ranges, `for`, intervals), so
    alerts meant to fire after minutes fire after seconds on a 1 s scrape interval."""
    doc = yaml.safe_load(rules)

    def squeeze(match: re.Match[str]) -> str:
        seconds = max(parse_duration(match.group(1)) / factor, min_range)
        return f"[{format_duration(round(seconds))}{match.group(2)}]"

    for group in doc["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            rule["expr"] = RANGE_RE.sub(squeeze, rule["expr"])
            if "for" in rule:
                rule["for"] = format_duration(max(round(parse_duration(rule["for"]) / factor), 1))
    return yaml.safe_dump(doc, sort_keys=False)


class Scraper:
    """A server scraping a fresh simulator (job "phoenix") with a Prometheus query API."""

    name = "server"

    def __init__(self, scenario: str = "normal", state: SimulatedState | None = None) -> None:
        self.simulator = Simulator(state or Orchestrator()).start()
        self.simulator.orchestrator.set_scenario(scenario)
        self.dir = Path(tempfile.mkdtemp(prefix="phoenix-dash-scraper-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.target = self.simulator.url.removeprefix("http://")
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def command(self) -> list[str]:
        raise NotImplementedError

    def query(self, expr: str) -> list[Any]:
        answer = niquests.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        result: list[Any] = answer.json()["data"]["result"]
        return result

    def wait_ready(self, samples: int = 6, timeout: float = 60) -> None:
        """Until the server answers and holds ``samples`` scrapes of the simulator."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.query(f'count_over_time(up{{job="phoenix"}}[1m]) >= {samples}'):
                    return
            except (niquests.exceptions.RequestException, KeyError, ValueError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} did not collect data in time")

    def stop(self) -> None:
        end_process(self.process)
        self.simulator.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Stack(Scraper):
    """Debian's Prometheus scraping the simulator every second, optionally with rules."""

    name = "Prometheus"

    def __init__(
        self,
        rules: str | None = None,
        scenario: str = "normal",
        alertmanagers: tuple[str, ...] = (),
        state: SimulatedState | None = None,  # default: the Phoenix Orchestrator
    ) -> None:
        self.rules = rules
        self.alertmanagers = alertmanagers  # URLs its firing alerts are sent to
        super().__init__(scenario, state)

    def command(self) -> list[str]:
        config: dict[str, Any] = {
            "global": {
                "scrape_interval": "1s",
                "evaluation_interval": "1s",
                "scrape_timeout": "900ms",
            },
            "scrape_configs": [
                {"job_name": "phoenix", "static_configs": [{"targets": [self.target]}]}
            ],
        }
        if self.rules is not None:
            (self.dir / "rules.yaml").write_text(self.rules)
            config["rule_files"] = [str(self.dir / "rules.yaml")]
        if self.alertmanagers:
            targets = [url.removeprefix("http://") for url in self.alertmanagers]
            config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": targets}]}]}
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(config))
        return [
            shutil.which("prometheus") or "prometheus",
            f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]

    def firing(self) -> set[str]:
        alerts = niquests.get(f"{self.url}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
        return {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}


class VictoriaMetrics(Scraper):
    """Debian's victoria-metrics scraping the simulator itself (promscrape), 1 s apart."""

    name = "VictoriaMetrics"

    def command(self) -> list[str]:
        (self.dir / "scrape.yml").write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s"},
                    "scrape_configs": [
                        {"job_name": "phoenix", "static_configs": [{"targets": [self.target]}]}
                    ],
                }
            )
        )
        return [
            shutil.which("victoria-metrics") or "victoria-metrics",
            f"-httpListenAddr=127.0.0.1:{self.port}",
            f"-storageDataPath={self.dir / 'data'}",
            f"-promscrape.config={self.dir / 'scrape.yml'}",
            "-search.latencyOffset=1s",
            "-search.disableCache",
        ]
