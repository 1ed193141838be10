"""Login throttling under parallel attempts, and its bookkeeping (security §1.10.4)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from chatport.accounts import passwords, service, throttle
from chatport.db import tables
from chatport.errors import LoginFailed
from tests.support.server import LiveServer


class SlowVerify:
    """verify_digest that takes a while and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> bool:
        with self._lock:
            self.calls += 1
        time.sleep(0.15)
        return passwords.verify_digest(*args)


def _attempt(server: LiveServer, body: dict[str, Any], ip: str = "192.0.2.1") -> bool:
    try:
        server.ctx.accounts.login(body, ip)
    except LoginFailed:
        return False
    return True


def test_parallel_guesses_cannot_outrun_the_user_limit(
    make_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server(login_user_failures=3, login_ip_failures=1000)
    server.ctx.accounts.create_user(
        username="bob", email="bob@rocket.chat", name="bob", password="right"
    )
    slow = SlowVerify()
    monkeypatch.setattr(service, "verify_digest", slow)
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(
                lambda i: _attempt(server, {"user": "bob", "password": f"guess{i}"}), range(16)
            )
        )
    assert not any(results)
    assert slow.calls <= 3
    # Blocked now, even with the right password.
    assert not _attempt(server, {"user": "bob", "password": "right"})


def test_parallel_guesses_cannot_outrun_the_ip_limit(
    make_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server(login_user_failures=1000, login_ip_failures=3)
    slow = SlowVerify()
    monkeypatch.setattr(service, "verify_digest", slow)
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(lambda i: _attempt(server, {"user": f"u{i}", "password": "x"}), range(16))
        )
    assert not any(results)
    assert slow.calls <= 3
    assert not _attempt(server, {"user": service.TEST_ADMIN, "password": service.TEST_ADMIN})
    # Another address is not affected.
    assert _attempt(
        server, {"user": service.TEST_ADMIN, "password": service.TEST_ADMIN}, ip="192.0.2.2"
    )


def test_parallel_right_passwords_all_succeed(make_server: Callable[..., LiveServer]) -> None:
    """Successful attempts give their count back: a busy client is never throttled."""
    server = make_server(login_user_failures=3, login_ip_failures=3)
    body = {"user": service.TEST_ADMIN, "password": service.TEST_ADMIN}
    with ThreadPoolExecutor(3) as pool:
        assert all(pool.map(lambda _: _attempt(server, body), range(3)))
    for _ in range(10):
        assert _attempt(server, body)


def test_keys_are_stored_hashed_and_fit_the_column(make_server: Callable[..., LiveServer]) -> None:
    server = make_server()
    long_name = "n" * 5000
    assert not _attempt(server, {"user": long_name, "password": "x"}, ip="198.51.100.7")
    assert not _attempt(server, {"user": "typed-a-Password!", "password": "x"})
    with server.ctx.engine.connect() as conn:
        keys = [row.key for row in conn.execute(select(tables.login_failures))]
    assert keys
    for key in keys:
        assert len(key) == 64 and all(c in "0123456789abcdef" for c in key)
        assert "typed" not in key and "198.51" not in key


def test_block_expires(make_server: Callable[..., LiveServer]) -> None:
    server = make_server()
    limit, block_ms = 2, 1000
    with server.ctx.engine.begin() as conn:
        for now in (0, 1):
            assert throttle.acquire(conn, "k", limit, block_ms, now)
            throttle.fail(conn, "k", limit, block_ms, now)
        assert throttle.is_blocked(conn, "k", 2)
        assert not throttle.acquire(conn, "k", limit, block_ms, 2)
        assert not throttle.acquire(conn, "k", limit, block_ms, 1000)
        # The block ends block_ms after the failure that started it; counting starts afresh.
        assert throttle.acquire(conn, "k", limit, block_ms, 1001)
        assert not throttle.is_blocked(conn, "k", 1001)
        throttle.fail(conn, "k", limit, block_ms, 1001)
        assert not throttle.is_blocked(conn, "k", 1002)


def test_window_expires_without_block(make_server: Callable[..., LiveServer]) -> None:
    server = make_server()
    with server.ctx.engine.begin() as conn:
        assert throttle.acquire(conn, "k", 2, 1000, 0)
        throttle.fail(conn, "k", 2, 1000, 0)
        # Old failures fall out of the window.
        assert throttle.acquire(conn, "k", 2, 1000, 1000)
        throttle.fail(conn, "k", 2, 1000, 1000)
        assert not throttle.is_blocked(conn, "k", 1001)


def test_release_and_clear(make_server: Callable[..., LiveServer]) -> None:
    server = make_server()
    with server.ctx.engine.begin() as conn:
        assert throttle.acquire(conn, "k", 1, 1000, 0)
        assert not throttle.acquire(conn, "k", 1, 1000, 0)  # one attempt still in flight
        throttle.release(conn, "k")
        assert throttle.acquire(conn, "k", 1, 1000, 0)
        throttle.clear(conn, "k")
        assert throttle.acquire(conn, "k", 1, 1000, 0)
        throttle.release(conn, "unknown")  # harmless
