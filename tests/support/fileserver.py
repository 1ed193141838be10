"""A loopback HTTP server whose answers a test scripts: bytes, redirects, trickles, stalls.

It stands in for remote file hosts (outside our control); it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk: int = 0  # >0: send the body in pieces of this size ...
    delay: float = 0.0  # ... sleeping this long before each piece
    hang: float = 0.0  # sleep this long before sending anything (ends early if the peer leaves)
    content_length: int | None = None  # lie about the length


class FileServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        self.disconnects: list[str] = []  # paths whose client closed before the whole answer
        self._stop = threading.Event()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.requests.append((self.path, self.headers.get("Host", "")))
                route = outer.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(status=404, body=b"not here")
                if route.hang and self._hang_until_peer_leaves(route.hang):
                    return
                self.send_response(route.status)
                length = route.content_length
                if length is None:
                    length = len(route.body)
                if length >= 0:
                    self.send_header("Content-Length", str(length))
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    if not route.chunk:
                        self.wfile.write(route.body)
                        return
                    for start in range(0, len(route.body), route.chunk):
                        if route.delay and outer._stop.wait(route.delay):
                            return
                        self.wfile.write(route.body[start : start + route.chunk])
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    outer.disconnects.append(self.path)

            def _hang_until_peer_leaves(self, seconds: float) -> bool:
                """Wait ``seconds`` before answering; True (stop) on shutdown or peer close."""
                deadline = time.monotonic() + seconds
                while (remaining := deadline - time.monotonic()) > 0:
                    if outer._stop.is_set():
                        return True
                    readable, _, _ = select.select([self.connection], [], [], min(remaining, 0.05))
                    if not readable:
                        continue
                    try:
                        pending = self.connection.recv(1, socket.MSG_PEEK)
                    except OSError:
                        pending = b""
                    if not pending:
                        outer.disconnects.append(self.path)
                        return True
                    time.sleep(min(remaining, 0.05))
                return outer._stop.is_set()

        return Handler

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def file_server() -> Iterator[FileServer]:
    srv = FileServer()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def wait_until(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")
