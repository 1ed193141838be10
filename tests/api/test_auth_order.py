"""Processing order 401 → 403 → 413 → 400 (rest-api §1.2, §1.3; A-10.9)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.api.test_auth_support import (
    FORBIDDEN,
    LOGIN_FAILED,
    TOO_LARGE,
    UNAUTHORIZED,
    exact,
    invalid,
    ok,
)
from tests.support.server import Client, LiveServer

CAP = 1000
INVALID_BODY = {"foo": 1}
ROUTES = [
    "/api/v1/users.create",
    "/api/v1/users.delete",
    "/api/v1/settings/SSRF_Allowlist",
]


def big_json(size: int = CAP + 500) -> bytes:
    return b'{"value":"' + b"a" * size + b'"}'


@pytest.fixture
def capped(make_server: Callable[..., LiveServer]) -> LiveServer:
    return make_server(api_max_body_bytes=CAP)


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_invalid_body_is_401(server: LiveServer, path: str) -> None:
    exact(server.client().post(path, json=INVALID_BODY), 401, UNAUTHORIZED)
    exact(
        server.client().post(path, content=b"[[[", headers={"Content-Type": "application/json"}),
        401,
        UNAUTHORIZED,
    )


@pytest.mark.parametrize("path", ROUTES)
def test_plain_user_invalid_body_is_403(server: LiveServer, path: str) -> None:
    bob = server.create_user(server.admin(), "bob")
    exact(bob.post(path, json=INVALID_BODY), 403, FORBIDDEN)
    exact(bob.post(path, json=[]), 403, FORBIDDEN)


@pytest.mark.parametrize("path", ROUTES)
def test_admin_body_over_cap_is_413(capped: LiveServer, path: str) -> None:
    admin = capped.admin()
    r = admin.post(path, content=big_json(), headers={"Content-Type": "application/json"})
    exact(r, 413, TOO_LARGE)
    # Invalid JSON over the cap is still 413, not 400.
    r = admin.post(path, content=b"x" * (CAP + 1), headers={"Content-Type": "application/json"})
    exact(r, 413, TOO_LARGE)


def test_body_at_the_cap_is_read(capped: LiveServer) -> None:
    admin = capped.admin()
    body = b'{"value":"' + b"a" * (CAP - 12) + b'"}'
    assert len(body) == CAP
    r = admin.post(
        "/api/v1/settings/SSRF_Allowlist",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    ok(r)
    r = admin.post(
        "/api/v1/settings/SSRF_Allowlist",
        content=body + b" ",
        headers={"Content-Type": "application/json"},
    )
    exact(r, 413, TOO_LARGE)


def test_chunked_body_over_cap_is_413(capped: LiveServer) -> None:
    """No Content-Length: the cap applies while streaming."""
    admin = capped.admin()

    def chunks() -> Iterator[bytes]:
        yield b'{"value":"'
        for _ in range(20):
            yield b"a" * 100
        yield b'"}'

    r = admin.http.post(
        "/api/v1/settings/SSRF_Allowlist",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    exact(r, 413, TOO_LARGE)


def test_plain_user_big_body_is_403(capped: LiveServer) -> None:
    bob = capped.create_user(capped.admin(), "bob")
    r = bob.post(
        "/api/v1/users.create", content=big_json(), headers={"Content-Type": "application/json"}
    )
    exact(r, 403, FORBIDDEN)


def test_anonymous_big_body_is_401(capped: LiveServer) -> None:
    r = Client(capped.base_url).post(
        "/api/v1/users.create", content=big_json(), headers={"Content-Type": "application/json"}
    )
    exact(r, 401, UNAUTHORIZED)


def test_login_body_over_cap_is_413(capped: LiveServer) -> None:
    r = httpx.post(
        f"{capped.base_url}/api/v1/login",
        content=b'{"user":"' + b"u" * 2000 + b'","password":"x"}',
        headers={"Content-Type": "application/json"},
    )
    exact(r, 413, TOO_LARGE)


def _raw_exchange(server: LiveServer, head: bytes, timeout: float = 5.0) -> bytes:
    """Send headers and only a sliver of the declared body; return what the server answers."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head + b'{"a":')
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def test_anonymous_huge_declared_body_is_never_waited_for(server: LiveServer) -> None:
    """A 1 GB declared body without credentials: 401 at once, without reading the body."""
    head = (
        b"POST /api/v1/users.create HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
    )
    answer = _raw_exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
    assert answer.endswith(UNAUTHORIZED)


def test_admin_huge_declared_body_is_refused_at_once(server: LiveServer) -> None:
    admin = server.admin()
    assert admin.user_id and admin.token
    head = (
        b"POST /api/v1/settings/SSRF_Allowlist HTTP/1.1\r\nHost: x\r\n"
        b"X-User-Id: " + admin.user_id.encode() + b"\r\n"
        b"X-Auth-Token: " + admin.token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n"
    )
    answer = _raw_exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert answer.endswith(TOO_LARGE)


def test_login_huge_declared_body_is_refused_at_once(server: LiveServer) -> None:
    head = (
        b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n"
    )
    answer = _raw_exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert answer.endswith(TOO_LARGE)


def test_validation_after_all_gates(server: LiveServer) -> None:
    admin = server.admin()
    exact(
        admin.post("/api/v1/users.create", json=INVALID_BODY),
        400,
        invalid("must have required property 'email'"),
    )


def test_login_failure_is_not_401_for_missing_headers(server: LiveServer) -> None:
    """login needs no credentials: a bad body is the login failure, not 'must be logged in'."""
    exact(server.client().post("/api/v1/login", json=INVALID_BODY), 401, LOGIN_FAILED)
