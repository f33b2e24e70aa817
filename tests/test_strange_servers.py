"""Servers that are not what the user thinks: an SSO page, a proxy's error page, JSON of
another shape, a redirect to another host, a wrong sub-path, a 500, a server that hangs. Each
is one line naming the URL and what came back, exit 2 (130 for Ctrl-C), nothing written, and
never a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.emulator import Fault
from tests.support.project import ROOT, Project, as_a_terminal_job
from tests.support.synced import LOKI_SECRET, Synced

ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "html": (200, "text/html", b"<!DOCTYPE html><html><body>Sign in with SSO</body></html>"),
    "list": (200, "application/json", b"[1, 2, 3]"),
    "plain 404": (404, "text/plain", b"404 page not found"),
    "json 404": (404, "application/json", b'{"message": "Not found"}'),
    "redirect": (302, "text/plain", b""),
    "500": (500, "application/json", b'{"message": "Internal Server Error"}'),
}
EXPECTED = {
    "html": "answered with an HTML page, not Grafana's API: is the URL right?",
    "list": "answered with JSON of another shape (a list where Grafana answers a dict), not "
    "Grafana's API: is the URL right?",
    "plain 404": "answered 404 Not Found: {url} does not look like a Grafana API root (is "
    "grafana.url right?)",
    "json 404": "answered 404 Not Found: {url} does not look like a Grafana API root (is "
    "grafana.url right?)",
    "redirect": "redirects to http://sso.example.test/login (host sso.example.test): "
    "Grafana's API does not redirect; set grafana.url to where Grafana answers",
    "500": "500 Internal Server Error",
}


@dataclass
class Strange:
    """A server answering every request the way ``mode`` (a key of ANSWERS) says."""

    url: str = ""
    mode: str = "html"
    methods: list[str] = field(default_factory=list)


@pytest.fixture
def strange() -> Iterator[Strange]:
    state = Strange()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def answer(self) -> None:
            state.methods.append(self.command)
            status, kind, body = ANSWERS[state.mode]
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "http://sso.example.test/login")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()


def project_at(project: Project, url: str) -> Project:
    project.dashboard("d", "dash")
    project.write(
        "phoenix-dash.yaml",
        project.root.joinpath("phoenix-dash.yaml").read_text()
        + f"grafana: {{url: '{url}', retries: 1, backoff: 0.01}}\n",
    )
    return project


@pytest.mark.parametrize("mode", sorted(ANSWERS))
@pytest.mark.parametrize(
    "command", [("ping",), ("diff",), ("sync",), ("pull", "--uid", "x"), ("pull", "--tag", "t")]
)
def test_a_server_that_is_not_grafana_is_one_line_and_no_writes(
    project: Project,
    strange: Strange,
    mode: str,
    command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, strange.mode = strange.url, mode
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_x")
    project_at(project, url)
    result = project.run(
        *command, *(["--out", str(project.root / "out")] if command[0] == "pull" else [])
    )
    output = result.output.strip()
    # Nothing was planned, written or changed: 2; ping reports a check that failed.
    assert result.exit_code == (1 if mode == "500" and command == ("ping",) else 2), output
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    if command[0] != "ping":
        assert output.startswith("error: ")
    assert EXPECTED[mode].format(url=url) in output
    if mode != "500":
        assert f"{url}/api/" in output  # names the URL that answered so
        assert "retries" not in output  # a 500 is not retried, so never "after N retries"
    assert set(strange.methods) <= {"GET"}  # nothing written
    assert not (project.root / "out").exists() or not any((project.root / "out").iterdir())


@pytest.mark.parametrize("mode", ["html", "list", "plain 404", "redirect"])
def test_check_against_something_that_is_not_prometheus(
    project: Project, strange: Strange, mode: str
) -> None:
    url, strange.mode = strange.url, mode
    project.dashboard("d", "dash")
    result = project.run("check", "--prometheus", url)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {url}/api/v1/query answered with ")
    assert result.output.rstrip().endswith("not Prometheus's API: is the URL right?")
    assert len(result.output.strip().splitlines()) == 1


def run_interrupted(
    args: list[str], cwd: Path, env: dict[str, str], after: float
) -> tuple[int, float, str]:
    """Run phoenix-dash, press Ctrl-C after ``after`` seconds: (exit code, seconds it took
    to stop, stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "phoenix_dash", *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_a_terminal_job,
    )
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    pressed = time.monotonic()
    _, err = process.communicate(timeout=60)
    return process.returncode, time.monotonic() - pressed, err


@pytest.mark.slow
def test_ctrl_c_stops_a_command_waiting_on_a_hanging_server(project: Project) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # accepts connections, never answers
    try:
        project_at(project, f"http://127.0.0.1:{silent.getsockname()[1]}")
        project.write(
            "phoenix-dash.yaml",
            project.root.joinpath("phoenix-dash.yaml")
            .read_text()
            .replace("retries: 1", "retries: 3, timeout: {read: 60}"),
        )
        code, stopping, err = run_interrupted(
            ["diff"], project.root, {"GRAFANA_TOKEN": "glsa_x"}, after=6.5
        )
    finally:
        silent.close()
    assert code == 130, err
    assert stopping < 2.0, stopping  # not the minutes the retries would take
    assert "waiting for http://127.0.0.1:" in err and "no answer for 5 s" in err
    assert err.rstrip().endswith("running the command again converges.")
    assert "Traceback" not in err


@pytest.mark.slow
def test_ctrl_c_during_a_sync_stops_at_once(synced: Synced, tmp_path: Path) -> None:
    emulator = synced.grafana.require_emulator()
    reads = "^" + re.escape(synced.path("dashboard", "x"))[:-1]  # any dashboard's read
    emulator.inject(Fault("GET", reads, "timeout", count=100, delay=60))
    code, stopping, err = run_interrupted(
        ["sync", "--config", str(synced.config)],
        tmp_path,
        {"GRAFANA_TOKEN": synced.grafana.token, "LOKI_PASSWORD": LOKI_SECRET},
        after=3.0,
    )
    assert code == 130 and stopping < 2.0, (code, stopping, err)
    assert emulator.writes() == []
    assert json.dumps(err).count("Traceback") == 0


def test_help_lists_the_exit_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "phoenix_dash", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Exit codes:" in result.stdout
    for code in ("0", "1", "2", "130"):
        assert re.search(rf"^\s+{code}\s+\w", result.stdout, re.M), code
