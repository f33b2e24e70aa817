"""The emulator's HTTP side: routing, authentication and roles, fault injection, request log.

Start it with ``GrafanaEmulator().start()`` (random port on 127.0.0.1, optionally HTTPS). Tests
control it directly: add tokens and users, inject latency or faults per route, simulate a
person editing a dashboard in the UI, and read the request log.
"""

from __future__ import annotations

import base64
import contextlib
import random
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from . import openapi
from .behaviour import Quirks
from .controls import Controls
from .model import Answer, Org
from .routes import PERMISSIONS, RESOURCE_RE, ROUTING_TREES_RE, resource_call, routes
from .state import State

ROLES = ("Viewer", "Editor", "Admin")


@dataclass(frozen=True)
class Identity:
    login: str
    role: str
    org_id: int = 1
    kind: str = "token"  # token | basic


@dataclass
class Fault:
    """What the next ``count`` requests matching ``method`` and ``path`` (a regex) get."""

    method: str
    path: str
    kind: str  # status | timeout | drop
    count: int = 1
    status: int = 503
    retry_after: int | None = None
    after: bool = False  # apply the request first, then fail (the client saw no answer)
    delay: float = 10.0  # for timeouts
    message: str | None = None  # the error message; "{authorization}" echoes the header
    skip: int = 0  # matching requests let through before the fault applies

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and self.method in (method, "*") and bool(re.search(self.path, path))


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    org: int | None
    user: str | None
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class GrafanaEmulator(Controls):
    """``version`` picks the behaviour of that Grafana (13.x by default); ``quirks.rows`` are the
    BEHAVIOR.md rows reproduced, all unless a test discards one."""

    def __init__(
        self, prefix: str = "", version: str = "13.2.0", resource_apis: bool = True
    ) -> None:
        self.prefix = prefix.rstrip("/")  # serve under a sub-path, as behind a proxy
        # False: a Grafana before the resource APIs (11.x), which answers /apis with 404.
        self.resource_apis = resource_apis

        self.in_flight = 0
        self.max_in_flight = 0
        self.quirks = Quirks(version=version)
        self.state = State(self.quirks)
        self.tokens: dict[str, Identity] = {}
        self.users: dict[str, tuple[str, Identity]] = {}
        self.faults: list[Fault] = []
        self._chaos: tuple[random.Random, float, float, float, float] | None = None
        self.latency = 0.0
        self.healthy = True
        self.log: list[Logged] = []
        self.schema_violations: list[str] = []
        # Request bodies checked against the OpenAPI spec: a test oracle, not something
        # Grafana does; a benchmark turns it off so it times phoenix-dash, not jsonschema.
        self.validate_bodies = True
        # Lists answer "metadata only" when asked (Kubernetes' content negotiation); off, as a
        # server that cannot would, they answer whole items to such a request too.
        self.metadata_lists = True
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""
        self.routes = routes(self.state)

    # --- control surface (tests only) ----------------------------------------------------

    def add_token(
        self, token: str, role: str = "Admin", org_id: int = 1, login: str = "sa-phoenix-dash"
    ) -> None:
        self.tokens[token] = Identity(login, role, org_id, "token")

    def add_user(self, login: str, password: str, role: str = "Admin", org_id: int = 1) -> None:
        self.users[login] = (password, Identity(login, role, org_id, "basic"))

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def chaos(
        self,
        seed: int,
        errors: float = 0.0,
        timeouts: float = 0.0,
        throttles: float = 0.0,
        timeout_delay: float = 1.0,
    ) -> None:
        """From now on, fail that share of requests at random (reproducibly): 5xx errors,
        timeouts (half of them after the request was applied), and 429 with Retry-After."""
        self._chaos = (random.Random(seed), errors, timeouts, throttles, timeout_delay)

    def calm(self) -> None:
        self._chaos = None

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being served: a killed client's requests still finish on
        the server, as they do in Grafana."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 0.3:  # a request may still be in the socket
            if self.in_flight:
                quiet_since = time.monotonic()
            assert time.monotonic() < deadline, f"{self.in_flight} in flight after {timeout}s"
            time.sleep(0.01)

    def writes(self) -> list[Logged]:
        """Requests that may change what Grafana stores (a dry run stores nothing)."""
        return [
            entry
            for entry in self.log
            if entry.method in ("POST", "PUT", "PATCH", "DELETE") and "dryRun" not in entry.query
        ]

    # --- server --------------------------------------------------------------------------

    def start(self, tls: ssl.SSLContext | None = None) -> GrafanaEmulator:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm and delayed ACKs
            # every answer would wait 40 ms.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                emulator._handle(self, "GET")

            def do_POST(self) -> None:
                emulator._handle(self, "POST")

            def do_PUT(self) -> None:
                emulator._handle(self, "PUT")

            def do_DELETE(self) -> None:
                emulator._handle(self, "DELETE")

            def do_PATCH(self) -> None:
                emulator._handle(self, "PATCH")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{server.server_address[1]}{self.prefix}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- request handling ----------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        if len(raw) < length:
            return  # the client went away mid-body: like Grafana, apply nothing
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                self._send(request, 404, {"message": "Not found"})
                return
            path = path[len(self.prefix) :]
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._serve(request, method, path, query, raw)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _serve(
        self,
        request: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw: bytes,
    ) -> None:
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(method, path)
        if fault is not None and not fault.after:
            self._log_fault(method, path, query, fault)
            self._fail(request, fault)
            return
        status, body, identity, parsed = self._answer(request, method, path, query, raw)
        with self._lock:
            self.log.append(
                Logged(
                    method,
                    path,
                    query,
                    status,
                    identity.org_id if identity else None,
                    identity.login if identity else None,
                    parsed,
                    {
                        k: v
                        for k, v in request.headers.items()
                        if k.lower() not in ("authorization", "cookie")
                    },
                )
            )
        if fault is not None and fault.after:
            self._fail(request, fault)
            return
        self._send(request, status, body)

    def _log_fault(self, method: str, path: str, query: dict[str, list[str]], fault: Fault) -> None:
        status = fault.status if fault.kind == "status" else 0  # 0: no answer at all
        with self._lock:
            self.log.append(Logged(method, path, query, status, None, None, None))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.count -= 1
                    return fault
            if self._chaos is None or path == "/api/health":
                return None
            rng, errors, timeouts, throttles, delay = self._chaos
            roll = rng.random()
            if roll < errors:
                return Fault(method, path, "status", status=rng.choice((502, 503, 504)))
            if roll < errors + timeouts:
                return Fault(method, path, "timeout", delay=delay, after=rng.random() < 0.5)
            if roll < errors + timeouts + throttles:
                return Fault(method, path, "status", status=429, retry_after=1)
        return None

    def _fail(self, request: BaseHTTPRequestHandler, fault: Fault) -> None:
        if fault.kind == "drop":
            request.close_connection = True
            with contextlib.suppress(OSError):
                request.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault.kind == "timeout":
            time.sleep(fault.delay)
            request.close_connection = True
            return
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        message = fault.message or {
            429: "Too Many Requests",
            502: "Bad Gateway",
            503: "Service Unavailable",
            500: "Internal Server Error",
            504: "Gateway Timeout",
        }.get(fault.status, "error")
        # A careless proxy may echo the request; the client must not repeat the secret.
        message = message.replace("{authorization}", request.headers.get("Authorization", ""))
        self._send(request, fault.status, {"message": message}, headers)

    def _send(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = b"" if body is None else orjson.dumps(body)
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                request.send_header(key, value)
            # Headers and body in one write (end_headers would send the headers alone).
            request._headers_buffer.append(b"\r\n")  # type: ignore[attr-defined]
            request.wfile.write(b"".join(request._headers_buffer) + data)  # type: ignore[attr-defined]
            request._headers_buffer = []  # type: ignore[attr-defined]
        except OSError:
            pass

    def _authenticate(self, request: BaseHTTPRequestHandler) -> Identity | Answer:
        header = request.headers.get("Authorization") or ""
        if header.startswith("Bearer "):
            identity = self.tokens.get(header[7:])
            if identity is None:
                return 401, {"message": "Invalid API key", "messageId": "api-key.invalid"}
            return identity
        if header.startswith("Basic "):
            try:
                login, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return 401, {"message": "Unauthorized"}
            known = self.users.get(login)
            if known is None or known[0] != password:
                return 401, {
                    "message": "Invalid username or password",
                    "messageId": "password-auth.failed",
                }
            return known[1]
        return 401, {"message": "Unauthorized"}

    def _answer(
        self,
        request: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw: bytes,
    ) -> tuple[int, Any, Identity | None, Any]:
        if path == "/__emulator/stats":  # test-only: for benchmarks in another process
            writes = len(self.writes())
            return 200, {"requests": len(self.log), "writes": writes}, None, None
        if path == "/api/health":
            if self.healthy:
                return (
                    200,
                    {"database": "ok", "version": self.quirks.version, "commit": "emulated"},
                    None,
                    None,
                )
            return 503, {"database": "failing", "version": self.quirks.version}, None, None
        if path == "/bootdata" and self.resource_apis:  # no credentials needed
            return (
                200,
                {
                    "settings": {
                        "namespace": self.state.namespace_of(1),
                        "buildInfo": {"version": self.quirks.version},
                    }
                },
                None,
                None,
            )
        if path.startswith("/apis") and self.resource_apis:
            return self._resource_answer(request, method, path, query, raw)
        if not path.startswith("/api/"):
            return 404, {"message": "Not found"}, None, None
        identity = self._authenticate(request)
        if isinstance(identity, tuple):
            return identity[0], identity[1], None, None
        org_header = request.headers.get("X-Grafana-Org-Id")
        org_id = int(org_header) if org_header and org_header.isdigit() else identity.org_id
        if org_id != identity.org_id:
            return 401, {"message": "Unauthorized"}, identity, None
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            return 400, {"message": "bad request data"}, identity, None
        api_path = path[len("/api") :]
        operation = openapi.find(method, api_path) if self.validate_bodies else None
        if method in ("POST", "PUT") and body is None:
            return 400, {"message": "bad request data"}, identity, None  # Grafana's binding
        if operation is not None and body is not None:
            problems = openapi.body_errors(operation, body)
            if problems:
                with self._lock:
                    self.schema_violations += [f"{method} {path}: {p}" for p in problems]
                return 400, {"message": "bad request data"}, identity, body
        for route_method, pattern, permission, handler in self.routes:
            match = pattern.match(api_path)
            if route_method == method and match:
                if permission and permission not in PERMISSIONS[identity.role]:
                    if permission.startswith("dashboards:") and method == "POST":
                        return 403, {"message": "Access denied to save dashboard"}, identity, body
                    return (
                        403,
                        {
                            "title": "Access denied",
                            "message": "You'll need additional permissions to perform this action. "
                            f"Permissions needed: {permission}",
                        },
                        identity,
                        body,
                    )
                with self._lock:
                    status, answer = handler(
                        self.state.org(org_id), identity, body, query, request, **match.groupdict()
                    )
                return status, answer, identity, body
        return 404, {"message": "Not found"}, identity, body

    def _routing_tree_answer(
        self, identity: Identity, org_id: int, method: str, match: re.Match[str], body: Any
    ) -> Answer:
        from .resource_rules import served_groups, status
        from .routing_trees import GROUP

        if match["version"] not in served_groups(self.quirks).get(GROUP, []):
            return 404, {"message": "Not found"}
        needed = "alert.provisioning:read" if method == "GET" else "alert.provisioning:write"
        if needed not in PERMISSIONS[identity.role]:
            return status(403, "Forbidden", f'User "{identity.login}" cannot {method} routingtrees')
        with self._lock:
            return self.state.routing_tree_call(
                self.state.org(org_id), method, match["version"], match["name"], body
            )

    def _resource_answer(
        self,
        request: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw: bytes,
    ) -> tuple[int, Any, Identity | None, Any]:
        from .resource_rules import discovery, negotiated_list, status

        identity = self._authenticate(request)
        if isinstance(identity, tuple):
            return identity[0], identity[1], None, None
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            return (
                *status(400, "BadRequest", "the body of the request was not JSON"),
                identity,
                None,
            )
        if path in ("/apis", "/apis/") and method == "GET":
            return 200, discovery(self.quirks), identity, None
        match = RESOURCE_RE.match(path) or ROUTING_TREES_RE.match(path)
        if match is None:
            return 404, {"message": "Not found"}, identity, body
        namespace = match["namespace"]
        org_id = identity.org_id if namespace == self.state.namespace_of(identity.org_id) else None
        if org_id is None:
            answer = status(
                403,
                "Forbidden",
                f'namespace "{namespace}" is not the organisation of the credential',
            )
            return (*answer, identity, body)
        if match.re is ROUTING_TREES_RE:
            code, reply = self._routing_tree_answer(identity, org_id, method, match, body)
            return code, reply, identity, body
        with self._lock:
            code, reply = resource_call(
                self.state,
                self.state.org(org_id),
                identity.login,
                identity.role,
                method,
                match,
                body,
                query,
            )
        if code == 200 and method == "GET" and match["name"] is None and self.metadata_lists:
            reply = negotiated_list(reply, request.headers.get("Accept") or "")
        return code, reply, identity, body


__all__ = ["ROLES", "Fault", "GrafanaEmulator", "Identity", "Org"]
