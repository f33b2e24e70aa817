"""A real Alertmanager (Debian's prometheus-alertmanager) loaded with the configuration build
writes, and a receiver that records what it is sent, for the end-to-end notification test."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import niquests
import yaml

from phoenix_dash.notifications.outputs import SECRETS_DIR
from tests.support.prometheus_stack import end_process, free_port


@dataclass(frozen=True)
class Delivery:
    path: str  # /slack or /pagerduty
    body: Any


class Recorder:
    """An HTTP server standing in for Slack's and PagerDuty's APIs: it keeps every POST."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size)
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = body.decode(errors="replace")
                recorder.deliveries.append(Delivery(self.path, parsed))
                self.send_response(202)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def at(self, path: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Alertmanager:
    """``config`` (alertmanager.yml as build wrote it) with its secrets read from files here
    that point the Slack and PagerDuty receivers at ``recorder``, its templates beside it,
    and group timers of a second, so a test need not wait minutes."""

    def __init__(self, config: dict[str, Any], templates: Path, recorder: Recorder) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="phoenix-dash-alertmanager-"))
        secrets = self.dir / "secrets"
        secrets.mkdir()
        text = yaml.safe_dump(config, sort_keys=False).replace(SECRETS_DIR, str(secrets))
        config = yaml.safe_load(text)
        for receiver in config["receivers"]:
            for slack in receiver.get("slack_configs", []):
                Path(slack["api_url_file"]).write_text(f"{recorder.url}/slack")
            for pager in receiver.get("pagerduty_configs", []):
                Path(pager["routing_key_file"]).write_text("test-routing-key")
                pager["url"] = f"{recorder.url}/pagerduty"
        _fast_timers(config["route"])
        shutil.copytree(templates, self.dir / "templates")
        (self.dir / "alertmanager.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                shutil.which("prometheus-alertmanager") or "prometheus-alertmanager",
                f"--config.file={self.dir / 'alertmanager.yml'}",
                f"--storage.path={self.dir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if niquests.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except niquests.exceptions.RequestException:
                pass
            time.sleep(0.3)
        raise TimeoutError("Alertmanager did not start")

    def stop(self) -> None:
        end_process(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


def _fast_timers(route: dict[str, Any]) -> None:
    route.update({"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"})
    for child in route.get("routes", []):
        _fast_timers(child)


@contextmanager
def running(*managers: Alertmanager) -> Iterator[None]:
    try:
        for manager in managers:
            manager.wait_ready()
        yield
    finally:
        for manager in managers:
            manager.stop()
