"""The API rate limiter (rest-api §1.6.5, §1.7; security §1.10.6)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
import pytest

from tests.api.test_auth_support import check_headers, exact, ok
from tests.support.server import Client, LiveServer

MESSAGE = re.compile(
    r"Error, too many requests\. Please slow down\. You must wait (\d+) seconds before trying "
    r"this endpoint again\. \[error-too-many-requests\]"
)


def production(make_server: Callable[..., LiveServer], **overrides: object) -> LiveServer:
    settings: dict[str, object] = {
        "test_mode": False,
        "rate_limit_calls": 3,
        "admin_username": "boss",
        "admin_pass": "boss-password",
    }
    settings.update(overrides)
    return make_server(**settings)


def assert_limited(r: httpx.Response, limit: int, window: int) -> None:
    assert r.status_code == 429, r.text
    check_headers(r)
    body = r.json()
    assert list(body) == ["success", "error"]
    assert body["success"] is False
    match = MESSAGE.fullmatch(body["error"])
    assert match, body["error"]
    assert 1 <= int(match.group(1)) <= window
    assert r.headers["x-ratelimit-limit"] == str(limit)
    assert r.headers["x-ratelimit-remaining"] == "0"
    reset = int(r.headers["x-ratelimit-reset"])
    now_ms = time.time() * 1000
    assert now_ms - 1000 <= reset <= now_ms + window * 1000 + 1000


def test_plain_user_limited_on_fourth_call(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server)
    admin = server.login("boss", "boss-password")
    bob = server.create_user(admin, "bob")
    for _ in range(3):
        ok(bob.get("/api/v1/me"))
    r = bob.get("/api/v1/me")
    assert_limited(r, 3, 60)
    match = MESSAGE.fullmatch(r.json()["error"])
    assert match
    exact(
        r,
        429,
        {
            "success": False,
            "error": "Error, too many requests. Please slow down. You must wait "
            f"{match.group(1)} seconds before trying this endpoint again. "
            "[error-too-many-requests]",
        },
    )
    # Per route: another route still answers.
    ok(bob.get("/api/v1/users.getPersonalAccessTokens"))
    # The admin is exempt (api-bypass-rate-limit).
    for _ in range(10):
        ok(admin.get("/api/v1/me"))


def test_limit_is_per_ip_not_per_user(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server)
    admin = server.login("boss", "boss-password")
    bob = server.create_user(admin, "bob")
    carol = server.create_user(admin, "carol")
    for _ in range(3):
        ok(bob.get("/api/v1/me"))
    assert_limited(carol.get("/api/v1/me"), 3, 60)


def test_failing_calls_count_too(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server)
    admin = server.login("boss", "boss-password")
    bob = server.create_user(admin, "bob")
    for _ in range(3):
        r = bob.post("/api/v1/users.generatePersonalAccessToken", json={})
        assert r.status_code == 400
    assert_limited(bob.post("/api/v1/users.generatePersonalAccessToken", json={}), 3, 60)


def test_limited_before_body_is_read(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server, api_max_body_bytes=100)
    admin = server.login("boss", "boss-password")
    bob = server.create_user(admin, "bob")
    for _ in range(3):
        ok(bob.get("/api/v1/users.getPersonalAccessTokens"))
    for _ in range(3):
        r = bob.post("/api/v1/users.generatePersonalAccessToken", json={"tokenName": "x" * 500})
        assert r.status_code == 413
    assert_limited(
        bob.post("/api/v1/users.generatePersonalAccessToken", json={"tokenName": "x" * 500}), 3, 60
    )


def test_window_resets(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server, rate_limit_window_seconds=1)
    admin = server.login("boss", "boss-password")
    bob = server.create_user(admin, "bob")
    for _ in range(3):
        ok(bob.get("/api/v1/me"))
    assert_limited(bob.get("/api/v1/me"), 3, 1)
    time.sleep(1.1)
    ok(bob.get("/api/v1/me"))


@pytest.mark.parametrize("role", ["bot", "app"])
def test_bot_and_app_are_exempt(make_server: Callable[..., LiveServer], role: str) -> None:
    server = production(make_server)
    admin = server.login("boss", "boss-password")
    robot = server.create_user(admin, "robot", roles=[role])
    for _ in range(6):
        ok(robot.get("/api/v1/me"))


def test_admin_created_through_accounts_is_exempt(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(test_mode=False, rate_limit_calls=2)
    server.ctx.accounts.create_user(
        username="root", email="root@rocket.chat", name="root", password="pw", roles=("admin",)
    )
    root = server.login("root", "pw")
    for _ in range(6):
        ok(root.get("/api/v1/me"))


def test_setting_disables_the_limiter(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server)
    admin = server.login("boss", "boss-password")
    server.set_setting(admin, "API_Enable_Rate_Limiter", False)
    bob = server.create_user(admin, "bob")
    for _ in range(6):
        ok(bob.get("/api/v1/me"))


def test_test_mode_installs_no_limiter(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(rate_limit_calls=1)
    bob = server.create_user(server.admin(), "bob")
    for _ in range(6):
        ok(bob.get("/api/v1/me"))


def test_limited_user_still_gets_401_and_403_first(make_server: Callable[..., LiveServer]) -> None:
    server = production(make_server)
    admin = server.login("boss", "boss-password")
    bob = server.create_user(admin, "bob")
    for _ in range(5):
        r = bob.get("/api/v1/settings/SSRF_Allowlist")
        assert r.status_code == 403
    anonymous = Client(server.base_url)
    for _ in range(5):
        assert anonymous.get("/api/v1/me").status_code == 401
