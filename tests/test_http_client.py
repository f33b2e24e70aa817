"""phoenix-dash's HTTP client (phoenix_dash/http_client.py), on real sockets: keep-alive and a
connection the server closed meanwhile, gzip, paths escaped, Retry-After, and proxies from
the environment (a forward proxy for http, a CONNECT tunnel for https)."""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.http_client import (
    HttpPool,
    NoAnswer,
    RetryPolicy,
    proxy_for,
    retry_after,
)


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with what it was asked (request line and headers); ``/gzip`` gzipped,
    ``/close`` with Connection: close; ``/busy`` 503 with Retry-After the first time."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, dict[str, str], int]]
    busy: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append((self.requestline, dict(self.headers), id(self.connection)))
        body = self.requestline.encode()
        if self.path.endswith("/busy") and not self.busy:
            self.busy.append(self.path)
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        if self.path.endswith("/gzip"):
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        if self.path.endswith("/close"):
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[tuple[str, Any]]:
    handler = type("Handler", (Recorder,), {"seen": [], "busy": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def pool(url: str, **options: Any) -> HttpPool:
    return HttpPool(url, 2.0, 2.0, **options)


def test_a_connection_is_kept_alive_and_the_prefix_and_query_are_sent(server: Any) -> None:
    url, handler = server
    client = pool(url + "/grafana/")
    first = client.request("GET", "/api/search", params={"query": "a b", "tag": ["x", "y"]})
    client.request("GET", "/api/health", params={"skipped": None})
    assert first.status == 200
    assert first.text == "GET /grafana/api/search?query=a+b&tag=x&tag=y HTTP/1.1"
    assert handler.seen[1][0] == "GET /grafana/api/health HTTP/1.1"
    assert handler.seen[0][2] == handler.seen[1][2]  # one connection for both


def test_a_path_is_escaped_once(server: Any) -> None:
    url, handler = server
    client = pool(url)
    client.request("GET", "/rule-groups/My service/é")
    client.request("GET", "/dashboards/a%2Fb")
    assert handler.seen[0][0] == "GET /rule-groups/My%20service/%C3%A9 HTTP/1.1"
    assert handler.seen[1][0] == "GET /dashboards/a%2Fb HTTP/1.1"


def test_gzip_answers_are_read_and_asked_for(server: Any) -> None:
    url, handler = server
    answer = pool(url).request("GET", "/gzip")
    assert answer.text == "GET /gzip HTTP/1.1"
    assert handler.seen[0][1]["Accept-Encoding"] == "gzip"


def test_a_connection_the_server_closed_is_replaced_without_a_retry(server: Any) -> None:
    url, handler = server
    client = pool(url)  # no retries: a stale connection must not need one
    client.request("GET", "/close")
    client.request("GET", "/one")
    # An idle connection the server has since closed (its keep-alive timeout).
    stale = client._idle[0]
    stale.sock.shutdown(socket.SHUT_RDWR)
    assert client.request("GET", "/two").status == 200
    assert [line for line, _, _ in handler.seen][-1] == "GET /two HTTP/1.1"


def test_retry_after_is_honoured_in_seconds_and_as_a_date(server: Any) -> None:
    url, _ = server
    client = pool(url, retry=RetryPolicy(retries=2, backoff=0.0, statuses=frozenset({503})))
    start = time.monotonic()
    assert client.request("GET", "/busy").status == 200
    assert time.monotonic() - start >= 0.9
    assert retry_after("7") == 7.0
    assert 55 <= (retry_after(formatdate(time.time() + 60, usegmt=True)) or 0) <= 60
    assert retry_after("soon") is None and retry_after("") is None


def test_the_backoff_doubles_from_the_second_retry_with_bounded_jitter() -> None:
    policy = RetryPolicy(retries=5, backoff=0.5, max_backoff=3.0)
    assert policy.pause(1, None) == 0.0
    assert 1.0 <= policy.pause(2, None) <= 1.5
    assert 2.0 <= policy.pause(3, None) <= 2.5
    assert policy.pause(5, None) == 3.0


def test_a_refused_connection_is_not_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = pool(f"http://127.0.0.1:{port}", retry=RetryPolicy(retries=5, backoff=10.0))
    start = time.monotonic()
    with pytest.raises(NoAnswer) as caught:
        client.request("GET", "/")
    assert isinstance(caught.value.cause, ConnectionRefusedError)
    assert time.monotonic() - start < 1.0  # not the 10 s backoff of a retry


def test_the_proxy_comes_from_the_environment_unless_no_proxy_names_the_host() -> None:
    env = {"https_proxy": "http://u%40corp:p%3Ass@proxy.corp:3128", "NO_PROXY": "local,.svc"}
    found = proxy_for("https", "grafana.example.com", env)
    assert found is not None and (found.host, found.port) == ("proxy.corp", 3128)
    assert found.authorization == "Basic dUBjb3JwOnA6c3M="  # u@corp:p:ss
    assert proxy_for("https", "grafana.svc", env) is None
    assert proxy_for("https", "a.grafana.svc", env) is None
    assert proxy_for("https", "local", env) is None
    assert proxy_for("http", "grafana.example.com", env) is None  # no http_proxy
    assert proxy_for("https", "x", {"HTTPS_PROXY": "proxy:8", "no_proxy": "*"}) is None


def test_plain_http_goes_through_a_forward_proxy_with_its_credentials(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = server  # the recorder plays the proxy: it answers what it was asked
    monkeypatch.setenv("http_proxy", url.replace("http://", "http://user:pw@"))
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    answer = pool("http://grafana.internal:3000/sub").request("GET", "/api/health")
    assert answer.text == "GET http://grafana.internal:3000/sub/api/health HTTP/1.1"
    headers = handler.seen[0][1]
    assert headers["Host"] == "grafana.internal:3000"
    assert headers["Proxy-Authorization"] == "Basic dXNlcjpwdw=="


def test_https_goes_through_a_connect_tunnel(
    server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("grafana.internal").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    target = ThreadingHTTPServer(("127.0.0.1", 0), server[1])
    target.daemon_threads = True
    target.socket = context.wrap_socket(target.socket, server_side=True)
    threading.Thread(target=target.serve_forever, args=(0.05,), daemon=True).start()
    proxy, tunnels = connect_proxy(target.server_address[1])
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    try:
        client = pool("https://grafana.internal", verify=str(bundle))
        answer = client.request("GET", "/api/health")
    finally:
        target.shutdown()
        target.server_close()
    assert answer.text == "GET /api/health HTTP/1.1"  # the target's answer, through TLS
    assert [line.rsplit(" ", 1)[0] for line in tunnels] == ["CONNECT grafana.internal:443"]


def connect_proxy(port: int) -> tuple[int, list[str]]:
    """A proxy that answers CONNECT (to any host) by relaying to 127.0.0.1:``port``."""
    listener = socket.create_server(("127.0.0.1", 0))
    tunnels: list[str] = []

    def relay(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()

    def serve() -> None:
        client, _ = listener.accept()
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        tunnels.append(head.split(b"\r\n")[0].decode())
        upstream = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=relay, args=(upstream, client), daemon=True).start()
        relay(client, upstream)

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], tunnels


def test_the_clients_load_no_third_party_http_stack() -> None:
    """Sync's start-up: importing niquests (what grafana-client brings) took 110 ms."""
    import subprocess
    import sys

    script = (
        "import sys, phoenix_dash.grafana.connection, phoenix_dash.prometheus_api\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'niquests', 'urllib3', 'requests', 'grafana_client'}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
