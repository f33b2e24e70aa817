"""The hostile-input table's machinery: a case is a command run as a user runs it (a fresh
``python -m phoenix_dash`` process, no debug switch) in a copy of a project that ``init``
made, against servers that misbehave on purpose; what it must do is the same for every
command: the documented exit code, one line saying what is wrong, no traceback, and nothing
written where nothing may be written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.project import as_a_terminal_job

SERVER = "{server}"  # in a case's command or environment: the fake server's URL


@dataclass(frozen=True)
class Reply:
    """What the fake server answers on a path: a status and a body, after ``delay`` s (a
    server that accepts and then keeps quiet)."""

    body: Any = None  # JSON-encoded unless a str
    status: int = 200
    delay: float = 0.0
    content_type: str = "application/json"

    def payload(self) -> bytes:
        text = self.body if isinstance(self.body, str) else json.dumps(self.body)
        return text.encode()


def prometheus(data: Any) -> Reply:
    return Reply({"status": "success", "data": data})


HTML_LOGIN = Reply("<!DOCTYPE html><html><body>Sign in</body></html>", 200, 0, "text/html")


@dataclass(frozen=True)
class Case:
    """One hostile input. ``says``: text the output must contain (its stderr's error line
    when the exit code is 2). ``kept``: paths that must be byte for byte as before (a folder
    whole); ``absent``: paths that must not exist afterwards; ``setup`` prepares the
    workspace; ``then`` checks anything else. ``replies``: the fake server's answers by path
    prefix (the longest wins; anything else gets 404)."""

    id: str
    command: tuple[str, ...]
    exit: int
    says: str
    setup: Callable[[Path], None] | None = None
    kept: tuple[str, ...] = ("build", "phoenix-dash.yaml", "dashboards")
    absent: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    replies: Mapping[str, Reply] = field(default_factory=dict)
    then: Callable[[Path, Outcome], None] | None = None
    interrupt_after: float | None = None  # Ctrl-C (to the process group) after this many s
    seconds: float = 60.0  # the command must be done by then


@dataclass(frozen=True)
class Outcome:
    exit: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class _Handler(BaseHTTPRequestHandler):
    replies: Mapping[str, Reply] = {}

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        matches = [prefix for prefix in self.replies if path.startswith(prefix)]
        reply = self.replies[max(matches, key=len)] if matches else Reply({"message": "nope"}, 404)
        end = time.monotonic() + reply.delay
        while time.monotonic() < end and not getattr(self.server, "stopping", False):
            time.sleep(0.05)
        payload = reply.payload()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up waiting
            pass

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def fake_server(replies: Mapping[str, Reply]) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"replies": dict(replies)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stopping = True  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()


def snapshot(root: Path, paths: tuple[str, ...]) -> dict[str, bytes | str]:
    """Content of every file under ``paths`` (a link as its target's name, a mode too),
    but Python's own bytecode caches: importing a project module may write one there."""
    found: dict[str, bytes | str] = {}
    for rel in paths:
        top = root / rel
        for path in [top, *sorted(top.rglob("*"))] if top.is_dir() else [top]:
            key = path.relative_to(root).as_posix()
            if "__pycache__" in path.relative_to(root).parts:
                continue
            if path.is_symlink():
                found[key] = f"-> {os.readlink(path)}"
            elif path.is_file():
                found[key] = path.read_bytes() + oct(path.stat().st_mode).encode()
            elif not path.exists():
                found[key] = "(absent)"
    return found


def run(case: Case, workspace: Path) -> Outcome:
    """``case``'s command in ``workspace``, as a user would run it."""
    with fake_server(case.replies) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_DASH_")}
        env.update({k: v.replace(SERVER, url) for k, v in case.env.items()})
        env.pop("GRAFANA_TOKEN", None)
        args = [a.replace(SERVER, url) for a in case.command]
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "phoenix_dash", *args],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, as a terminal's job is
            preexec_fn=as_a_terminal_job,
        )
        if case.interrupt_after is not None:
            time.sleep(case.interrupt_after)
            os.killpg(process.pid, signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=case.seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            raise AssertionError(
                f"{case.id}: still running after {case.seconds} s\n{stdout.decode()}"
                f"{stderr.decode()}"
            ) from None
        return Outcome(
            process.returncode, stdout.decode(), stderr.decode(), time.monotonic() - started
        )


def make_template(root: Path) -> Path:
    """A project as ``init`` makes it, built, in git: what each case starts from."""
    from phoenix_dash.init import scaffold

    scaffold(root)
    subprocess.run(
        [sys.executable, "-m", "phoenix_dash", "build"], cwd=root, check=True, capture_output=True
    )
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"],
    ):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root


def workspace_from(template: Path, root: Path) -> Path:
    shutil.copytree(template, root, symlinks=True)
    return root
