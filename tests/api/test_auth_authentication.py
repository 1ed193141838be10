"""401 for every way credentials can be missing or wrong (rest-api §1.6.1, §2.1; A-10.1/2/4)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select, update

from chatport.db import tables
from tests.api.test_auth_support import UNAUTHORIZED, exact, ok
from tests.support.server import LiveServer

PROTECTED = [
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/logout"),
    ("GET", "/api/v1/logout"),
    ("GET", "/api/v1/users.getPersonalAccessTokens"),
    ("POST", "/api/v1/users.generatePersonalAccessToken"),
    ("POST", "/api/v1/users.create"),
    ("POST", "/api/v1/users.delete"),
    ("GET", "/api/v1/users.info"),
    ("GET", "/api/v1/users.list"),
    ("GET", "/api/v1/permissions.listAll"),
    ("GET", "/api/v1/settings/SSRF_Allowlist"),
    ("POST", "/api/v1/settings/SSRF_Allowlist"),
]


def raw(server: LiveServer, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(base_url=server.base_url) as http:
        return http.request(method, path, headers=headers)


def test_no_credentials(server: LiveServer) -> None:
    for method, path in PROTECTED:
        exact(raw(server, method, path, {}), 401, UNAUTHORIZED, (method, path))


def test_only_one_header_or_empty_values(server: LiveServer) -> None:
    admin = server.admin()
    assert admin.user_id and admin.token
    for headers in (
        {"X-User-Id": admin.user_id},
        {"X-Auth-Token": admin.token},
        {"X-User-Id": "", "X-Auth-Token": admin.token},
        {"X-User-Id": admin.user_id, "X-Auth-Token": ""},
        {"X-User-Id": admin.user_id, "X-Auth-Token": admin.token[:-1]},
        {"X-User-Id": admin.user_id, "X-Auth-Token": admin.token + "x"},
        {"X-User-Id": admin.user_id, "Authorization": f"Bearer {admin.token}"},
    ):
        exact(raw(server, "GET", "/api/v1/me", headers), 401, UNAUTHORIZED)


def test_unknown_token(server: LiveServer) -> None:
    admin = server.admin()
    assert admin.user_id
    for token in ("nope", "1Dd4iN_ClKn5jl-xPC36snQ4s9Zd5GZnXCQuCNSKcVE", "x" * 5000):
        r = raw(server, "GET", "/api/v1/me", {"X-User-Id": admin.user_id, "X-Auth-Token": token})
        exact(r, 401, UNAUTHORIZED)


def test_hashed_token_is_not_a_credential(server: LiveServer) -> None:
    """The stored hash must not work as a token (only its preimage does)."""
    admin = server.admin()
    with server.ctx.engine.connect() as conn:
        hashed = conn.execute(
            select(tables.login_tokens.c.hashed_token).where(
                tables.login_tokens.c.user_id == admin.user_id
            )
        ).scalar_one()
    assert admin.user_id
    r = raw(server, "GET", "/api/v1/me", {"X-User-Id": admin.user_id, "X-Auth-Token": hashed})
    exact(r, 401, UNAUTHORIZED)


def test_token_is_bound_to_its_user(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    assert admin.user_id and admin.token and bob.user_id and bob.token
    # Bob's token with the admin's id (privilege escalation attempt), and the reverse.
    r = raw(server, "GET", "/api/v1/me", {"X-User-Id": admin.user_id, "X-Auth-Token": bob.token})
    exact(r, 401, UNAUTHORIZED)
    r = raw(server, "GET", "/api/v1/me", {"X-User-Id": bob.user_id, "X-Auth-Token": admin.token})
    exact(r, 401, UNAUTHORIZED)
    # The username is not the id.
    r = raw(server, "GET", "/api/v1/me", {"X-User-Id": "bob", "X-Auth-Token": bob.token})
    exact(r, 401, UNAUTHORIZED)
    assert ok(bob.get("/api/v1/me"))["username"] == "bob"


def test_header_names_are_case_insensitive(server: LiveServer) -> None:
    admin = server.admin()
    assert admin.user_id and admin.token
    for uid_name, token_name in (
        ("x-user-id", "x-auth-token"),
        ("X-USER-ID", "X-AUTH-TOKEN"),
        ("x-User-iD", "X-aUTH-tOKEN"),
    ):
        r = raw(server, "GET", "/api/v1/me", {uid_name: admin.user_id, token_name: admin.token})
        assert ok(r)["_id"] == admin.user_id


def test_logged_out_token(server: LiveServer) -> None:
    admin = server.admin()
    other = server.admin()
    ok(admin.post("/api/v1/logout"))
    exact(admin.get("/api/v1/me"), 401, UNAUTHORIZED)
    exact(admin.post("/api/v1/logout"), 401, UNAUTHORIZED)
    # Only the token used was removed.
    ok(other.get("/api/v1/me"))


def test_expired_token_by_configuration(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_token_ttl_days=0)
    admin = server.admin()
    exact(admin.get("/api/v1/me"), 401, UNAUTHORIZED)
    r = server.client().post("/api/v1/login", json={"resume": admin.token})
    assert r.status_code == 401


def test_expired_token_in_database(server: LiveServer) -> None:
    admin = server.admin()
    ok(admin.get("/api/v1/me"))
    now = server.ctx.clock.now_ms()
    with server.ctx.engine.begin() as conn:
        conn.execute(
            update(tables.login_tokens)
            .where(tables.login_tokens.c.user_id == admin.user_id)
            .values(expires_at=now - 1)
        )
    exact(admin.get("/api/v1/me"), 401, UNAUTHORIZED)


def test_token_expiry_default_is_ninety_days(server: LiveServer) -> None:
    before = server.ctx.clock.now_ms()
    admin = server.admin()
    after = server.ctx.clock.now_ms()
    with server.ctx.engine.connect() as conn:
        expires = conn.execute(
            select(tables.login_tokens.c.expires_at).where(
                tables.login_tokens.c.user_id == admin.user_id
            )
        ).scalar_one()
    day = 86_400_000
    assert before + 90 * day <= expires <= after + 90 * day


def test_deactivated_user(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    pat = ok(bob.post("/api/v1/users.generatePersonalAccessToken", json={"tokenName": "t"}))
    with server.ctx.engine.begin() as conn:
        conn.execute(
            update(tables.users).where(tables.users.c.id == bob.user_id).values(active=False)
        )
    exact(bob.get("/api/v1/me"), 401, UNAUTHORIZED)
    assert bob.user_id
    r = raw(server, "GET", "/api/v1/me", {"X-User-Id": bob.user_id, "X-Auth-Token": pat["token"]})
    exact(r, 401, UNAUTHORIZED)


def test_deleted_user(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    ok(admin.post("/api/v1/users.delete", json={"userId": bob.user_id}))
    exact(bob.get("/api/v1/me"), 401, UNAUTHORIZED)


def test_personal_access_token_never_expires(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_token_ttl_days=0)
    # Log in through the service clock so the token is still valid for one request.
    user, token = server.ctx.accounts.login(
        {"user": "rocketchat.internal.admin.test", "password": "rocketchat.internal.admin.test"},
        "127.0.0.1",
    )
    with server.ctx.engine.begin() as conn:
        conn.execute(
            update(tables.login_tokens)
            .where(tables.login_tokens.c.user_id == user.id)
            .values(expires_at=None)
        )
    headers = {"X-User-Id": user.id, "X-Auth-Token": token}
    with httpx.Client(base_url=server.base_url, headers=headers) as http:
        pat = ok(http.post("/api/v1/users.generatePersonalAccessToken", json={"tokenName": "ci"}))
    r = raw(server, "GET", "/api/v1/me", {"X-User-Id": user.id, "X-Auth-Token": pat["token"]})
    assert ok(r)["_id"] == user.id
