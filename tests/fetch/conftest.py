"""Fixtures for the fetcher tests: a counting fake resolver, a recording socket layer that only
permits loopback, loopback servers and a test CA (security-reliability §5.1)."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from chatport.fetch import Limits

from .fakes import CountingResolver, DialLog
from .loopback import Handler, LoopbackServer


@pytest.fixture
def resolver() -> CountingResolver:
    return CountingResolver()


@pytest.fixture(autouse=True)
def dial_log(monkeypatch: pytest.MonkeyPatch) -> DialLog:
    """Record every outgoing ``connect`` and refuse any that is not to loopback.

    This stands in for pytest-socket: even a bug in the fetcher cannot reach a real network.
    """
    log = DialLog()
    original = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple):
            host = str(address[0])
            log.addresses.append((host, int(address[1])))
            if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
                raise OSError("test network rule: non-loopback connect refused")
        original(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    return log


@pytest.fixture
def serve() -> Iterator[Callable[..., LoopbackServer]]:
    """Start loopback servers; all are stopped at teardown."""
    servers: list[LoopbackServer] = []

    def start(handler: Handler, **kwargs: object) -> LoopbackServer:
        server = LoopbackServer(handler, **kwargs)  # type: ignore[arg-type]
        server.__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def fast_limits() -> Limits:
    return Limits(connect_timeout=2, header_timeout=2, idle_timeout=2, deadline=10)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = Path(tmp_path_factory.mktemp("ca")) / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="session")
def server_context(ca: trustme.CA) -> Callable[..., ssl.SSLContext]:
    def make(*names: str) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        return context

    return make
