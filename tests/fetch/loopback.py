"""A byte-level HTTP(S) test server bound to a loopback address only.

Why hand-written: the fault cases (trickles, resets, lying lengths, stalled handshakes, no
headers) need control over every byte and every pause, which a framework server hides. Each
connection runs a handler in its own thread; the head of the request is read and recorded first.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

LOOPBACK_HOSTS = ("127.0.0.1", "::1")


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    raw: bytes
    sni: str | None = None


@dataclass
class Exchange:
    """What a handler gets: the connected socket, the recorded request and the server."""

    sock: socket.socket
    request: Request
    server: LoopbackServer

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def respond(
        self,
        status: int,
        body: bytes = b"",
        headers: Iterable[tuple[str, str]] = (),
        content_length: bool = True,
    ) -> None:
        head = [f"HTTP/1.1 {status} Status"]
        head.extend(f"{name}: {value}" for name, value in headers)
        if content_length:
            head.append(f"Content-Length: {len(body)}")
        head.append("Connection: close")
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def wait(self, seconds: float) -> bool:
        """Sleep, but wake early when the server stops; True if the server is stopping."""
        return self.server.stopping.wait(seconds)


Handler = Callable[[Exchange], None]


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _parse_head(raw: bytes) -> Request:
    text = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    method, target = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, target, headers, raw)


@dataclass
class LoopbackServer:
    """Serve ``handler`` on a loopback address; use as a context manager."""

    handler: Handler
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    read_request: bool = True
    requests: list[Request] = field(default_factory=list)
    accepted: int = 0
    handler_errors: list[BaseException] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        assert self.host in LOOPBACK_HOSTS, "test servers bind loopback only"
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((self.host, 0))
        self._listener.listen(32)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        if self.tls is not None:
            self.tls.sni_callback = self._record_sni
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    def _record_sni(self, sslsock: object, name: str | None, ctx: ssl.SSLContext) -> None:
        # Runs in the serving thread during the handshake, so a thread-local hands it over.
        self._local.sni = name

    def __enter__(self) -> LoopbackServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.close()
        self._acceptor.join(timeout=2)
        for thread in self._threads:
            thread.join(timeout=2)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            with self._lock:
                self._clients.append(client)
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        sock: socket.socket = client
        try:
            client.settimeout(5)
            sni: str | None = None
            if self.tls is not None:
                sock = self.tls.wrap_socket(client, server_side=True)
                with self._lock:
                    self._clients.append(sock)
                sni = getattr(self._local, "sni", None)
            if self.read_request:
                request = _parse_head(_read_head(sock))
                request.sni = sni
                self.requests.append(request)
            else:
                request = Request("", "", {}, b"", sni)
            self.handler(Exchange(sock, request, self))
        except (OSError, ssl.SSLError) as exc:
            self.handler_errors.append(exc)
        finally:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def trickle(exchange: Exchange, data: bytes, interval: float) -> None:
    """Send ``data`` one byte at a time until done or the server stops."""
    for byte in data:
        if exchange.wait(interval):
            return
        exchange.send(bytes([byte]))
