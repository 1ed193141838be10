"""POST /api/v1/login (rest-api §2.1, §2.2; security §1.10; A-10.5, 10.6, 10.7)."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from typing import Any

import bcrypt
import httpx
from sqlalchemy import func, select, update

from chatport.db import tables
from tests.api.test_auth_support import LOGIN_FAILED, TOKEN_RE, blocked, exact, ok
from tests.support.server import ADMIN, LiveServer

ADMIN_EMAIL = f"{ADMIN}@rocket.chat"


def login(server: LiveServer, body: Any, **kw: Any) -> httpx.Response:
    with httpx.Client(base_url=server.base_url) as http:
        return http.post("/api/v1/login", json=body, **kw)


def digest(password: str) -> dict[str, str]:
    return {"digest": hashlib.sha256(password.encode()).hexdigest(), "algorithm": "sha-256"}


def token_count(server: LiveServer, user_id: str) -> int:
    with server.ctx.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(tables.login_tokens)
                .where(tables.login_tokens.c.user_id == user_id)
            ).scalar_one()
        )


def admin_me(server: LiveServer) -> dict[str, Any]:
    return {
        "_id": ADMIN,
        "username": ADMIN,
        "name": ADMIN,
        "emails": [{"address": ADMIN_EMAIL, "verified": True}],
        "status": "offline",
        "active": True,
        "roles": ["admin"],
        "type": "user",
        "email": ADMIN_EMAIL,
        "avatarUrl": f"{server.base_url}/avatar/{ADMIN}",
    }


def test_success_shape_is_exact(server: LiveServer) -> None:
    r = login(server, {"user": ADMIN, "password": ADMIN})
    assert r.status_code == 200
    token = r.json()["data"]["authToken"]
    assert TOKEN_RE.fullmatch(token)
    exact(
        r,
        200,
        {
            "status": "success",
            "data": {"userId": ADMIN, "authToken": token, "me": admin_me(server)},
            "success": True,
        },
    )


LOGIN_FORMS: list[Any] = [
    {"user": ADMIN, "password": ADMIN},
    {"user": ADMIN.upper(), "password": ADMIN},
    {"user": ADMIN_EMAIL, "password": ADMIN},
    {"user": ADMIN_EMAIL.upper(), "password": ADMIN},
    {"username": ADMIN, "password": ADMIN},
    {"email": ADMIN_EMAIL, "password": ADMIN},
    {"user": {"username": ADMIN}, "password": ADMIN},
    {"user": {"email": ADMIN_EMAIL}, "password": ADMIN},
    {"user": ADMIN, "password": digest(ADMIN)},
    {"username": ADMIN, "password": digest(ADMIN)},
    {"email": ADMIN_EMAIL, "password": digest(ADMIN)},
    {"user": ADMIN, "password": {**digest(ADMIN), "digest": digest(ADMIN)["digest"].upper()}},
]


def test_login_forms(server: LiveServer) -> None:
    for body in LOGIN_FORMS:
        r = login(server, body)
        assert r.status_code == 200, body
        data = ok(r)
        assert list(data) == ["status", "data", "success"]
        assert list(data["data"]) == ["userId", "authToken", "me"]
        assert data["data"]["userId"] == ADMIN
        assert data["data"]["me"] == admin_me(server)
        headers = {"X-User-Id": ADMIN, "X-Auth-Token": data["data"]["authToken"]}
        with httpx.Client(base_url=server.base_url, headers=headers) as http:
            assert ok(http.get("/api/v1/me"))["_id"] == ADMIN


def test_form_encoded_login(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        r = http.post("/api/v1/login", data={"user": ADMIN, "password": ADMIN})
    assert ok(r)["data"]["userId"] == ADMIN


def test_login_ignores_bad_credentials_headers(server: LiveServer) -> None:
    r = login(
        server, {"user": ADMIN, "password": ADMIN}, headers={"X-User-Id": "x", "X-Auth-Token": "y"}
    )
    ok(r)


def test_each_password_login_adds_a_token_and_resume_does_not(server: LiveServer) -> None:
    first = ok(login(server, {"user": ADMIN, "password": ADMIN}))["data"]["authToken"]
    second = ok(login(server, {"user": ADMIN, "password": ADMIN}))["data"]["authToken"]
    assert first != second
    assert token_count(server, ADMIN) == 2
    r = login(server, {"resume": first})
    exact(
        r,
        200,
        {
            "status": "success",
            "data": {"userId": ADMIN, "authToken": first, "me": admin_me(server)},
            "success": True,
        },
    )
    assert token_count(server, ADMIN) == 2


def test_plain_user_me_has_no_email_until_verified(server: LiveServer) -> None:
    admin = server.admin()
    server.create_user(admin, "bob")
    data = ok(login(server, {"user": "bob", "password": "rocket.chat"}))
    me = data["data"]["me"]
    assert list(me) == [
        "_id",
        "username",
        "name",
        "emails",
        "status",
        "active",
        "roles",
        "type",
        "avatarUrl",
    ]
    assert me["emails"] == [{"address": "bob@rocket.chat", "verified": False}]
    assert me["roles"] == ["user"]


FAILING_BODIES: list[Any] = [
    {"user": ADMIN, "password": "wrong"},
    {"user": ADMIN, "password": ADMIN.upper()},
    {"user": "nobody", "password": ADMIN},
    {"user": "nobody@rocket.chat", "password": ADMIN},
    {"username": ADMIN_EMAIL, "password": ADMIN},
    {"email": ADMIN, "password": ADMIN},
    {"user": ADMIN},
    {"password": ADMIN},
    {"user": ADMIN, "password": ""},
    {"user": "", "password": ADMIN},
    {"user": ADMIN, "password": 5},
    {"user": ADMIN, "password": None},
    {"user": ADMIN, "password": [ADMIN]},
    {"user": 5, "password": ADMIN},
    {"user": ADMIN, "password": {"digest": digest(ADMIN)["digest"]}},
    {"user": ADMIN, "password": {"digest": digest(ADMIN)["digest"], "algorithm": "md5"}},
    {"user": ADMIN, "password": {"digest": "ab" * 100, "algorithm": "sha-256"}},
    {"user": "nobody", "password": {"digest": "ab" * 100, "algorithm": "sha-256"}},
    {"user": "nobody", "password": {"digest": "é" * 80, "algorithm": "sha-256"}},
    {"user": ADMIN, "password": {"digest": 5, "algorithm": "sha-256"}},
    {"resume": "nope"},
    {"resume": ""},
    {"resume": 5},
    {"resume": None},
    {},
    [],
    "text",
    None,
]


def test_failures_share_one_body(make_server: Callable[..., LiveServer]) -> None:
    # High limits: the throttle must not answer in place of the code paths under test.
    server = make_server(login_user_failures=1000, login_ip_failures=1000)
    for body in FAILING_BODIES:
        exact(login(server, body), 401, LOGIN_FAILED, body)


def test_non_json_bodies_fail_the_same(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        for content, ctype in (
            (b"", "application/json"),
            (b"{not json", "application/json"),
            (b"\xff\xfe", "application/json"),
            (b"user=x", "text/plain"),
            (b"--b\r\n", "multipart/form-data; boundary=b"),
        ):
            r = http.post("/api/v1/login", content=content, headers={"Content-Type": ctype})
            exact(r, 401, LOGIN_FAILED)


def test_inactive_user_fails_like_a_wrong_password(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post(
        "/api/v1/users.create",
        json={
            "email": "ina@rocket.chat",
            "name": "ina",
            "username": "ina",
            "password": "pw",
            "active": False,
        },
    )
    ok(r)
    exact(login(server, {"user": "ina", "password": "pw"}), 401, LOGIN_FAILED)


def test_resume_of_logged_out_or_deactivated_token_fails(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    ok(login(server, {"resume": bob.token}))
    with server.ctx.engine.begin() as conn:
        conn.execute(
            update(tables.users).where(tables.users.c.id == bob.user_id).values(active=False)
        )
    exact(login(server, {"resume": bob.token}), 401, LOGIN_FAILED)
    ok(admin.post("/api/v1/logout"))
    exact(login(server, {"resume": admin.token}), 401, LOGIN_FAILED)


def test_password_over_72_bytes(server: LiveServer) -> None:
    """A-10.7: the SHA-256 pre-hash makes long passwords work and count every byte."""
    admin = server.admin()
    password = "p" * 71 + "é" * 40  # 151 bytes
    server.create_user(admin, "longpw", password=password)
    ok(login(server, {"user": "longpw", "password": password}))
    ok(login(server, {"user": "longpw", "password": digest(password)}))
    exact(login(server, {"user": "longpw", "password": password[:72]}), 401, LOGIN_FAILED)
    exact(login(server, {"user": "longpw", "password": password[:-1]}), 401, LOGIN_FAILED)


def test_only_hashes_are_stored(server: LiveServer) -> None:
    admin = server.admin()
    password = "Secret-pässword-42"
    server.create_user(admin, "bob", password=password)
    data = ok(login(server, {"user": "bob", "password": password}))
    token, user_id = data["data"]["authToken"], data["data"]["userId"]
    with server.ctx.engine.connect() as conn:
        rows = conn.execute(
            select(tables.login_tokens).where(tables.login_tokens.c.user_id == user_id)
        ).all()
        user = conn.execute(select(tables.users).where(tables.users.c.id == user_id)).one()
    hashes = {base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in (token,)}
    assert len(rows) == 2  # the one create_user's login made, and this one
    assert hashes <= {row.hashed_token for row in rows}
    for row in rows:
        assert len(row.hashed_token) == 44 and row.hashed_token.endswith("=")
        assert base64.b64decode(row.hashed_token, validate=True)
        assert row.kind == "login"
        for value in row:
            assert token not in str(value)
    # The password: bcrypt over the lowercase hex SHA-256, never the plain text anywhere.
    stored = user.password_bcrypt
    assert stored.startswith("$2")
    assert bcrypt.checkpw(hashlib.sha256(password.encode()).hexdigest().encode(), stored.encode())
    for value in user:
        assert password not in str(value)
        assert hashlib.sha256(password.encode()).hexdigest() not in str(value)


# --- throttling (A-10.5, A-10.6) ---------------------------------------------------------


def test_ten_bad_passwords_block_the_user_with_defaults(server: LiveServer) -> None:
    admin = server.admin()
    server.create_user(admin, "bob", password="right")
    for _ in range(10):
        exact(login(server, {"user": "bob", "password": "wrong"}), 401, LOGIN_FAILED)
    # The 11th attempt, even with the right password, by any identifier of the same user.
    blocked(login(server, {"user": "bob", "password": "right"}), "user")
    blocked(login(server, {"user": "BOB", "password": "right"}), "user")
    blocked(login(server, {"user": "bob@rocket.chat", "password": "right"}), "user")
    blocked(login(server, {"username": "bob", "password": digest("right")}), "user")
    # Other users are not affected, and existing sessions keep working.
    ok(login(server, {"user": ADMIN, "password": ADMIN}))
    ok(admin.get("/api/v1/me"))


def test_block_counts_every_identifier_of_a_user(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_user_failures=4)
    admin = server.admin()
    server.create_user(admin, "bob", password="right")
    for body in (
        {"user": "bob", "password": "x"},
        {"user": "bob@rocket.chat", "password": "x"},
        {"username": "Bob", "password": "x"},
        {"email": "BOB@rocket.chat", "password": "x"},
    ):
        exact(login(server, body), 401, LOGIN_FAILED)
    blocked(login(server, {"user": "bob", "password": "right"}), "user")


def test_block_lasts_the_block_time(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_user_failures=3, login_block_seconds=1)
    admin = server.admin()
    server.create_user(admin, "bob", password="right")
    for _ in range(3):
        exact(login(server, {"user": "bob", "password": "wrong"}), 401, LOGIN_FAILED)
    blocked(login(server, {"user": "bob", "password": "right"}), "user", minutes=1)
    time.sleep(1.2)
    ok(login(server, {"user": "bob", "password": "right"}))


def test_default_block_is_five_minutes(server: LiveServer) -> None:
    admin = server.admin()
    server.create_user(admin, "bob", password="right")
    before = server.ctx.clock.now_ms()
    for _ in range(10):
        login(server, {"user": "bob", "password": "wrong"})
    with server.ctx.engine.connect() as conn:
        until = [
            row.blocked_until
            for row in conn.execute(select(tables.login_failures))
            if row.blocked_until
        ]
    assert until, "no block recorded"
    assert all(before + 300_000 <= u <= server.ctx.clock.now_ms() + 300_000 for u in until)


def test_success_resets_the_user_count(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_user_failures=3)
    admin = server.admin()
    server.create_user(admin, "bob", password="right")
    for _ in range(3):
        for _ in range(2):
            exact(login(server, {"user": "bob", "password": "wrong"}), 401, LOGIN_FAILED)
        ok(login(server, {"user": "bob", "password": "right"}))


def test_unknown_users_are_throttled_the_same(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_user_failures=3, login_block_seconds=1)
    admin = server.admin()
    server.create_user(admin, "bob", password="right")
    known = [login(server, {"user": "bob", "password": "wrong"}) for _ in range(4)]
    unknown = [login(server, {"user": "ghost", "password": "wrong"}) for _ in range(4)]
    for r in known[:3] + unknown[:3]:
        exact(r, 401, LOGIN_FAILED)
    # The fourth: the same block for a real account and for a name no account has.
    blocked(known[3], "user", minutes=1)
    blocked(unknown[3], "user", minutes=1)
    with server.ctx.engine.connect() as conn:
        rows = [row for row in conn.execute(select(tables.login_failures)) if row.blocked_until]
    assert len(rows) == 2  # one for bob, one for the unknown name


def test_ip_block(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(login_ip_failures=3, login_user_failures=100)
    admin = server.admin()
    for name in ("a", "b", "c"):
        exact(login(server, {"user": name, "password": "wrong"}), 401, LOGIN_FAILED)
    blocked(login(server, {"user": ADMIN, "password": ADMIN}), "ip")
    # Existing sessions are not logins: they keep working.
    ok(admin.get("/api/v1/me"))


def test_fifty_failures_from_one_ip_block_it_with_defaults(server: LiveServer) -> None:
    for index in range(50):
        exact(login(server, {"user": f"u{index}", "password": "wrong"}), 401, LOGIN_FAILED)
    blocked(login(server, {"user": ADMIN, "password": ADMIN}), "ip")


def test_successful_logins_do_not_count_against_the_ip(
    make_server: Callable[..., LiveServer],
) -> None:
    server = make_server(login_ip_failures=3)
    for _ in range(8):
        ok(login(server, {"user": ADMIN, "password": ADMIN}))
    exact(login(server, {"user": ADMIN, "password": "bad"}), 401, LOGIN_FAILED)
    ok(login(server, {"user": ADMIN, "password": ADMIN}))


def test_forwarded_headers_from_untrusted_peer_are_ignored(
    make_server: Callable[..., LiveServer],
) -> None:
    server = make_server(login_ip_failures=3, login_user_failures=100)
    for index in range(3):
        spoof = {"X-Forwarded-For": f"198.51.100.{index}", "X-Real-IP": f"203.0.113.{index}"}
        exact(
            login(server, {"user": f"u{index}", "password": "x"}, headers=spoof), 401, LOGIN_FAILED
        )
    # The socket address is blocked whatever the headers claim.
    spoof = {"X-Forwarded-For": "192.0.2.77", "X-Real-IP": "192.0.2.78"}
    blocked(login(server, {"user": ADMIN, "password": ADMIN}, headers=spoof), "ip")
    blocked(login(server, {"user": ADMIN, "password": ADMIN}), "ip")


def test_trusted_proxy_uses_the_address_it_appended(
    make_server: Callable[..., LiveServer],
) -> None:
    """Behind a trusted proxy the client is the right-most untrusted X-Forwarded-For entry;
    the entries before it are whatever the client sent and must not rotate the throttle key."""
    server = make_server(
        login_ip_failures=3, login_user_failures=100, trusted_proxies="127.0.0.1/32, 10.0.0.0/8"
    )
    for index in range(3):
        xff = {"X-Forwarded-For": f"198.51.100.{index}, 203.0.113.9, 10.1.2.3"}
        exact(login(server, {"user": f"u{index}", "password": "x"}, headers=xff), 401, LOGIN_FAILED)
    behind = {"X-Forwarded-For": "192.0.2.1, 203.0.113.9"}
    blocked(login(server, {"user": ADMIN, "password": ADMIN}, headers=behind), "ip")
    # Another client behind the same proxy, and the proxy itself, are not blocked.
    ok(
        login(
            server, {"user": ADMIN, "password": ADMIN}, headers={"X-Forwarded-For": "203.0.113.10"}
        )
    )
    ok(login(server, {"user": ADMIN, "password": ADMIN}))
    # Garbage in the header falls back to the socket address.
    ok(login(server, {"user": ADMIN, "password": ADMIN}, headers={"X-Forwarded-For": "not-an-ip"}))
