"""HTTP/1.1 requests on the standard library's http.client, as phoenix-dash's clients of
Grafana and Prometheus need them: keep-alive connections shared by threads, a connect and
a read timeout, TLS (the system's CAs, a CA bundle, or none), an HTTP(S) proxy from the
environment, retries with backoff and jitter that honour Retry-After, gzip, and no
redirect followed (a redirect is a login page or a proxy: the caller names it, and the
credentials stay here).

Why not niquests (what grafana-client brings): importing it took 110 ms, a third of a
no-op sync, and each request 0.3 ms of CPU, ten times this.
"""

from __future__ import annotations

import base64
import http.client
import os
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote, urlencode, urlsplit

# The answers a server sends with Retry-After that is worth waiting for.
RETRY_AFTER_STATUSES = frozenset({413, 429, 503})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Kept as they are in a request's path (what requests' requote_uri keeps): a caller's own
# escapes (%2F) stay, a space or a non-ASCII name is escaped.
PATH_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, read whole (and un-gzipped)."""

    status: int
    reason: str
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        return str(self.headers.get(name, ""))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECTS


class NoAnswer(Exception):
    """A request that got no HTTP answer, after its retries; ``cause`` says why (refused,
    unresolvable, timed out, TLS, reset). Its text is the cause's."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{cause}" or type(cause).__name__)
        self.cause = cause

    @property
    def is_tls(self) -> bool:
        return isinstance(self.cause, ssl.SSLError | ssl.CertificateError)

    @property
    def is_timeout(self) -> bool:
        return isinstance(self.cause, TimeoutError | socket.timeout)


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` more attempts after a failed one: no answer (except a refused connection
    or a certificate refused: retrying changes neither) or a status in ``statuses``. The
    pause before retry n is Retry-After when the answer has one, else none before the first
    retry and ``backoff * 2**(n-1)`` plus up to ``backoff`` of jitter after (urllib3's
    schedule), at most ``max_backoff``. Every method is retried: the callers make their
    writes safe to repeat."""

    retries: int = 0
    backoff: float = 0.0
    statuses: frozenset[int] = frozenset()
    max_backoff: float = 30.0

    def pause(self, retry: int, answer: Answer | None) -> float:
        if answer is not None and answer.status in RETRY_AFTER_STATUSES:
            after = retry_after(answer.header("Retry-After"))
            if after is not None:
                return after
        if retry <= 1:
            return 0.0
        value: float = self.backoff * 2 ** (retry - 1) + random.random() * self.backoff
        return min(self.max_backoff, value)


def retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), or None."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def final(error: BaseException) -> bool:
    """A failure that a retry would meet again at once: nothing listens there, or the
    server's certificate is not trusted."""
    return isinstance(error, ConnectionRefusedError | ssl.SSLCertVerificationError)


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str | None  # the Proxy-Authorization header, from user:password@


def proxy_for(scheme: str, host: str, environ: Mapping[str, str] | None = None) -> Proxy | None:
    """The proxy the environment names for ``scheme`` (``https_proxy``, ``HTTPS_PROXY``,
    as curl and requests read them), unless ``no_proxy`` names the host (a suffix, or
    ``*``)."""
    env = os.environ if environ is None else environ
    url = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY")
    if not url:
        return None
    bypass = env.get("no_proxy") or env.get("NO_PROXY") or ""
    for entry in (e.strip().lower().lstrip(".") for e in bypass.split(",")):
        name = entry.split(":")[0]
        if entry == "*" or (name and (host == name or host.endswith("." + name))):
            return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
    return Proxy(parts.hostname or "", parts.port or 8080, authorization)


def tls_context(verify: bool | str) -> ssl.SSLContext:
    """``True``: the system's CAs (and ``$SSL_CERT_FILE``; ``$REQUESTS_CA_BUNDLE`` and
    ``$CURL_CA_BUNDLE`` as the previous HTTP client read them); a path: that CA bundle;
    ``False``: no verification (the caller warns)."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    bundle = verify if isinstance(verify, str) else None
    bundle = bundle or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return ssl.create_default_context(cafile=bundle or None)


@dataclass
class HttpPool:
    """Requests to one server (``url``: scheme, host, port, and a path prefix every request
    path is appended to), on at most ``size`` idle keep-alive connections."""

    url: str
    connect_timeout: float
    read_timeout: float
    verify: bool | str = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    headers: Mapping[str, str] = field(default_factory=dict)
    size: int = 8

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.proxy = proxy_for(self.scheme, self.host)
        self._tls = tls_context(self.verify) if self.scheme == "https" else None
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        name = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        host = name if parts.port is None else f"{name}:{self.port}"
        # What every request carries, worked out once. A forward proxy (plain http) takes
        # the whole URL and its own credentials; an https proxy is a tunnel (``_connect``).
        self._headers = {"Host": host, "Accept-Encoding": "gzip", **self.headers}
        self._origin = ""
        if self.proxy is not None and self._tls is None:
            self._origin = f"{self.scheme}://{host}"
            if self.proxy.authorization:
                self._headers["Proxy-Authorization"] = self.proxy.authorization

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """The answer to ``method`` ``path`` (after the retries its failures earn); raises
        NoAnswer when none came."""
        target = quote(self.prefix + path, safe=PATH_SAFE)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if query:
            target += "?" + urlencode(query, doseq=True)
        sent = {**self._headers, **(headers or {})}
        retry = 0
        while True:
            try:
                answer = self._exchange(method, target, body, sent)
            except (OSError, http.client.HTTPException) as exc:
                if final(exc) or retry >= self.retry.retries:
                    raise NoAnswer(exc) from exc
                retry += 1
                time.sleep(self.retry.pause(retry, None))
                continue
            if answer.status in self.retry.statuses and retry < self.retry.retries:
                retry += 1
                time.sleep(self.retry.pause(retry, answer))
                continue
            return answer

    def _exchange(
        self, method: str, target: str, body: bytes | None, headers: Mapping[str, str]
    ) -> Answer:
        connection, reused = self._connection()
        try:
            return self._on(connection, method, target, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
        # The server closed this idle connection meanwhile (its keep-alive ran out): the
        # request never reached it, so it goes again on a new connection, not as a retry.
        return self._on(self._connect(), method, target, body, headers)

    def _on(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: Mapping[str, str],
    ) -> Answer:
        try:
            connection.request(method, self._origin + target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._release(connection)
        if response.headers.get("Content-Encoding", "").lower() == "gzip":
            data = zlib.decompress(data, zlib.MAX_WBITS | 16)
        return Answer(response.status, response.reason, response.headers, data)

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(), False

    def _release(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(connection)
                return
        connection.close()

    def _connect(self) -> http.client.HTTPConnection:
        host, port = self.host, self.port
        if self.proxy is not None:
            host, port = self.proxy.host, self.proxy.port
        connection: http.client.HTTPConnection
        if self._tls is not None:
            connection = http.client.HTTPSConnection(
                host, port, timeout=self.connect_timeout, context=self._tls
            )
            if self.proxy is not None:
                authorization = self.proxy.authorization
                tunnel = {} if authorization is None else {"Proxy-Authorization": authorization}
                connection.set_tunnel(self.host, self.port, tunnel)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.connect_timeout)
        connection.connect()
        sock = connection.sock
        # Headers and a body go out in one send, yet an answer read in parts must not wait
        # for delayed ACKs either.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.read_timeout)
        return connection
