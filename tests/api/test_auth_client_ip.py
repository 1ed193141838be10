"""The client address used for throttling and rate limits (security §1.10.5, A-10.6)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from chatport.api.auth import client_ip


def request(peer: str | None, *forwarded: str, real_ip: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    if real_ip is not None:
        headers.append((b"x-real-ip", real_ip.encode()))
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": headers,
        "client": (peer, 1234) if peer is not None else None,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # No trusted proxy configured: the socket, whatever the headers say.
        ("203.0.113.5", ["1.2.3.4"], "", "203.0.113.5"),
        ("127.0.0.1", ["1.2.3.4"], "", "127.0.0.1"),
        # The peer is not a trusted proxy: headers ignored.
        ("203.0.113.5", ["1.2.3.4"], "10.0.0.0/8", "203.0.113.5"),
        # Trusted proxy: the right-most entry it appended.
        ("10.0.0.1", ["1.2.3.4"], "10.0.0.0/8", "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6, 1.2.3.4"], "10.0.0.0/8", "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6", "1.2.3.4"], "10.0.0.0/8", "1.2.3.4"),
        # A chain of trusted proxies is skipped.
        ("10.0.0.1", ["6.6.6.6, 1.2.3.4, 10.0.0.9"], "10.0.0.0/8", "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6, 1.2.3.4, 10.0.0.9"], "10.0.0.0/8,1.2.3.4/32", "6.6.6.6"),
        # Every hop trusted: the left-most.
        ("10.0.0.1", ["10.0.0.7"], "10.0.0.0/8", "10.0.0.7"),
        # No header, empty header, garbage: the last trusted address.
        ("10.0.0.1", [], "10.0.0.0/8", "10.0.0.1"),
        ("10.0.0.1", [""], "10.0.0.0/8", "10.0.0.1"),
        ("10.0.0.1", ["not-an-ip"], "10.0.0.0/8", "10.0.0.1"),
        ("10.0.0.1", ["1.2.3.4, garbage"], "10.0.0.0/8", "10.0.0.1"),
        # IPv6.
        ("::1", ["2001:db8::5"], "::1/128", "2001:db8::5"),
        # A bad entry in the configuration is skipped, the others apply.
        ("10.0.0.1", ["1.2.3.4"], "bogus, 10.0.0.0/8", "1.2.3.4"),
    ],
)
def test_client_ip(peer: str, forwarded: list[str], trusted: str, expected: str) -> None:
    assert client_ip(request(peer, *forwarded), trusted) == expected


def test_real_ip_is_never_trusted() -> None:
    assert client_ip(request("10.0.0.1", real_ip="1.2.3.4"), "10.0.0.0/8") == "10.0.0.1"
    assert client_ip(request("203.0.113.5", real_ip="1.2.3.4"), "") == "203.0.113.5"


def test_no_peer() -> None:
    assert client_ip(request(None, "1.2.3.4"), "10.0.0.0/8") == ""
