"""The small HTTP servers phoenix-dash runs itself (``simulate``'s exporter, ``preview
--local``'s pages): threaded, quiet, on a port the user names (0: a free one), and a port
in use is one line naming the option that picks another."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .errors import ConfigError

Answer = Callable[[BaseHTTPRequestHandler], None]


class QuietServer(ThreadingHTTPServer):
    """A browser that closes a connection early is no error to print a traceback for."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def local_server(
    host: str, port: int, get: Answer, post: Answer | None = None
) -> tuple[ThreadingHTTPServer, str]:
    """(the server, its base URL), answering GET with ``get`` (and POST with ``post``)."""

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            get(self)

        def do_POST(self) -> None:
            if post is None:
                reply(self, 405, b"GET only\n")
            else:
                post(self)

    try:
        server = QuietServer((host, port), Handler)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (--port picks another)"
        ) from None
    return server, f"http://{host}:{server.server_address[1]}"


def reply(
    request: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    request.send_header("Cache-Control", "no-store")
    request.end_headers()
    request.wfile.write(body)
