"""The common envelope over real HTTP: /api/info, 404s, headers, serialisation, 500s."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chatport import __version__
from tests.api.test_auth_support import (
    INTERNAL,
    NOT_FOUND,
    UNAUTHORIZED,
    check_headers,
    exact,
    ok,
    wire,
)
from tests.support.server import LiveServer


def test_info_exact(server: LiveServer) -> None:
    r = server.client().get("/api/info")
    exact(r, 200, {"version": __version__, "success": True})


def test_info_needs_no_credentials_even_when_wrong(server: LiveServer) -> None:
    r = server.client().get("/api/info", headers={"X-User-Id": "x", "X-Auth-Token": "y"})
    exact(r, 200, {"version": __version__, "success": True})


NOT_FOUND_CASES: list[Any] = [
    ("GET", "/api/v1/nope"),
    ("GET", "/"),
    ("GET", "/api/v2/me"),
    ("GET", "/api/v1/ME"),
    ("GET", "/API/info"),
    ("GET", "/api/v1/users.Create"),
    ("POST", "/api/info"),
    ("DELETE", "/api/v1/me"),
    ("PUT", "/api/v1/login"),
    ("GET", "/api/v1/login"),
    ("GET", "/api/v1/users.create"),
    ("POST", "/api/v1/me"),
    ("PATCH", "/api/v1/settings/SSRF_Allowlist"),
    ("GET", "/api/v1/settings/a/b"),
]


def test_unknown_path_or_method_is_not_found(server: LiveServer) -> None:
    for method, path in NOT_FOUND_CASES:
        r = server.client().http.request(method, path)
        exact(r, 404, NOT_FOUND, (method, path))


def test_not_found_for_logged_in_user_too(server: LiveServer) -> None:
    admin = server.admin()
    exact(admin.get("/api/v1/does.not.exist"), 404, NOT_FOUND)
    exact(admin.http.delete("/api/v1/me"), 404, NOT_FOUND)


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/info/"])
def test_trailing_slash_is_not_found(server: LiveServer, path: str) -> None:
    """Matching is exact, without trailing slash (rest-api §1.1): no redirect to the route."""
    r = server.client().http.get(path, follow_redirects=False)
    exact(r, 404, NOT_FOUND)


def test_error_responses_carry_the_fixed_headers(server: LiveServer) -> None:
    anonymous = server.client()
    check_headers(anonymous.get("/api/v1/me"))
    check_headers(anonymous.get("/api/v1/nope"))
    check_headers(anonymous.post("/api/v1/login", json={}))
    check_headers(server.admin().get("/api/v1/settings/nope"))


def test_compact_json_and_unescaped_non_ascii(server: LiveServer) -> None:
    admin = server.admin()
    name = "Zoë 日本語 \u2028 😀"
    r = admin.post(
        "/api/v1/users.create",
        json={
            "email": "zoe@rocket.chat",
            "name": name,
            "username": "zoe",
            "password": "pw",
        },
    )
    data = ok(r)
    assert data["user"]["name"] == name
    assert name.encode("utf-8") in r.content
    assert b"\\u" not in r.content
    assert b": " not in r.content and b", " not in r.content
    assert r.content == wire(data)


def test_unexpected_exception_is_a_bare_500(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = server.admin()

    def boom() -> None:
        raise RuntimeError("secret /etc/passwd stack detail")

    monkeypatch.setattr(server.ctx.accounts, "permissions", boom)
    r = admin.get("/api/v1/permissions.listAll")
    exact(r, 500, INTERNAL)
    assert b"passwd" not in r.content and b"Traceback" not in r.content
    # The server keeps serving afterwards.
    monkeypatch.undo()
    ok(admin.get("/api/v1/permissions.listAll"))


def test_unexpected_exception_in_authentication_is_a_500(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object) -> None:
        raise RuntimeError("database exploded at 10.0.0.5")

    monkeypatch.setattr(server.ctx.accounts, "admit", boom)
    r = server.client().get("/api/v1/me", headers={"X-User-Id": "a", "X-Auth-Token": "b"})
    exact(r, 500, INTERNAL)


def test_non_ascii_header_values_do_not_crash(server: LiveServer) -> None:
    """Header bytes outside ASCII (decoded as latin-1) are just wrong credentials."""
    with httpx.Client(base_url=server.base_url) as http:
        r = http.get(
            "/api/v1/me",
            headers=[(b"X-User-Id", "é\xff".encode("latin-1")), (b"X-Auth-Token", b"\xe9t")],
        )
    exact(r, 401, UNAUTHORIZED)
    admin = server.admin()
    with httpx.Client(base_url=server.base_url) as http:
        r = http.get(
            "/api/v1/me",
            headers=[
                (b"X-User-Id", "rocketchat.internal.admin.tést".encode("latin-1")),
                (b"X-Auth-Token", (admin.token or "").encode()),
            ],
        )
    exact(r, 401, UNAUTHORIZED)


def test_unexpected_exception_in_login_keeps_the_connection(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object) -> None:
        raise OSError("disk /var/lib/chatport full")

    client = server.client()
    ok(client.get("/api/info"))
    monkeypatch.setattr(server.ctx.accounts, "login", boom)
    exact(client.post("/api/v1/login", json={"user": "a", "password": "b"}), 500, INTERNAL)
    # Same keep-alive connection: the next request is answered normally.
    ok(client.get("/api/info"))
    exact(client.get("/api/v1/me"), 401, UNAUTHORIZED)


def test_unexpected_exception_in_users_and_settings_routes(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = server.admin()

    def boom(*_a: object, **_k: object) -> None:
        raise ValueError("SELECT * FROM users -- secret")

    monkeypatch.setattr(server.ctx.accounts, "list_users", boom)
    monkeypatch.setattr(server.ctx.settings, "get", boom)
    exact(admin.get("/api/v1/users.list"), 500, INTERNAL)
    exact(admin.get("/api/v1/settings/SSRF_Allowlist"), 500, INTERNAL)
    monkeypatch.undo()
    ok(admin.get("/api/v1/users.list"))
