"""me, logout and personal access tokens (rest-api §2.3, §2.4, §2.5)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from chatport.db import tables
from tests.api.test_auth_support import (
    FORBIDDEN,
    ISO_RE,
    TOKEN_RE,
    UNAUTHORIZED,
    coded,
    exact,
    invalid,
    ok,
)
from tests.support.server import ADMIN, Client, LiveServer

LOGGED_OUT = {"status": "success", "data": {"message": "You've been logged out!"}, "success": True}
GENERATE = "/api/v1/users.generatePersonalAccessToken"
REGENERATE = "/api/v1/users.regeneratePersonalAccessToken"
REMOVE = "/api/v1/users.removePersonalAccessToken"
LIST = "/api/v1/users.getPersonalAccessTokens"


def as_token(server: LiveServer, user_id: str | None, token: str) -> Client:
    assert user_id
    return Client(server.base_url, user_id, token)


def test_me_exact(server: LiveServer) -> None:
    admin = server.admin()
    email = f"{ADMIN}@rocket.chat"
    exact(
        admin.get("/api/v1/me"),
        200,
        {
            "_id": ADMIN,
            "username": ADMIN,
            "name": ADMIN,
            "emails": [{"address": email, "verified": True}],
            "status": "offline",
            "active": True,
            "roles": ["admin"],
            "type": "user",
            "email": email,
            "avatarUrl": f"{server.base_url}/avatar/{ADMIN}",
            "success": True,
        },
    )


def test_me_of_plain_user(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    exact(
        bob.get("/api/v1/me"),
        200,
        {
            "_id": bob.user_id,
            "username": "bob",
            "name": "bob",
            "emails": [{"address": "bob@rocket.chat", "verified": False}],
            "status": "offline",
            "active": True,
            "roles": ["user"],
            "type": "user",
            "avatarUrl": f"{server.base_url}/avatar/bob",
            "success": True,
        },
    )


def test_me_avatar_url_uses_public_url(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(public_url="https://chat.example.org/")
    me = ok(server.admin().get("/api/v1/me"))
    assert me["avatarUrl"] == f"https://chat.example.org/avatar/{ADMIN}"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_logout(server: LiveServer, method: str) -> None:
    admin = server.admin()
    exact(admin.http.request(method, "/api/v1/logout"), 200, LOGGED_OUT)
    exact(admin.get("/api/v1/me"), 401, UNAUTHORIZED)
    exact(admin.http.request(method, "/api/v1/logout"), 401, UNAUTHORIZED)


def test_logout_ignores_a_body(server: LiveServer) -> None:
    admin = server.admin()
    exact(admin.post("/api/v1/logout", json={"anything": [1, 2]}), 200, LOGGED_OUT)


# --- personal access tokens ----------------------------------------------------------------


def test_generate_use_list_regenerate_remove(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    r = bob.post(GENERATE, json={"tokenName": "ci"})
    token = r.json().get("token", "")
    assert TOKEN_RE.fullmatch(token)
    exact(r, 200, {"token": token, "success": True})

    pat = as_token(server, bob.user_id, token)
    assert ok(pat.get("/api/v1/me"))["username"] == "bob"
    # The PAT also works with case-insensitive header names, and only with its own user id.
    with httpx.Client(base_url=server.base_url) as http:
        r = http.get("/api/v1/me", headers={"x-user-id": bob.user_id or "", "x-auth-token": token})
        ok(r)
        r = http.get("/api/v1/me", headers={"X-User-Id": ADMIN, "X-Auth-Token": token})
        exact(r, 401, UNAUTHORIZED)

    listed = bob.get(LIST)
    created = listed.json()["tokens"][0]["createdAt"]
    assert ISO_RE.fullmatch(created)
    exact(
        listed,
        200,
        {
            "tokens": [
                {
                    "name": "ci",
                    "createdAt": created,
                    "lastTokenPart": token[-6:],
                    "bypassTwoFactor": False,
                }
            ],
            "success": True,
        },
    )

    r = bob.post(REGENERATE, json={"tokenName": "ci"})
    new = r.json().get("token", "")
    assert TOKEN_RE.fullmatch(new) and new != token
    exact(r, 200, {"token": new, "success": True})
    exact(pat.get("/api/v1/me"), 401, UNAUTHORIZED)
    ok(as_token(server, bob.user_id, new).get("/api/v1/me"))
    tokens = ok(bob.get(LIST))["tokens"]
    assert [(t["name"], t["lastTokenPart"]) for t in tokens] == [("ci", new[-6:])]

    exact(bob.post(REMOVE, json={"tokenName": "ci"}), 200, {"success": True})
    exact(as_token(server, bob.user_id, new).get("/api/v1/me"), 401, UNAUTHORIZED)
    exact(bob.get(LIST), 200, {"tokens": [], "success": True})
    # The login session was not touched.
    ok(bob.get("/api/v1/me"))


def test_list_is_ordered_and_keeps_bypass_flag(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    ok(bob.post(GENERATE, json={"tokenName": "b", "bypassTwoFactor": True}))
    ok(bob.post(GENERATE, json={"tokenName": "a"}))
    ok(bob.post(GENERATE, json={"tokenName": "Ä 日本"}))
    tokens = ok(bob.get(LIST))["tokens"]
    assert [(t["name"], t["bypassTwoFactor"]) for t in tokens] == [
        ("b", True),
        ("a", False),
        ("Ä 日本", False),
    ]
    assert all(list(t) == ["name", "createdAt", "lastTokenPart", "bypassTwoFactor"] for t in tokens)
    ok(bob.post(REGENERATE, json={"tokenName": "b"}))
    tokens = ok(bob.get(LIST))["tokens"]
    assert {t["name"]: t["bypassTwoFactor"] for t in tokens}["b"] is True


def test_duplicate_name(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    ok(bob.post(GENERATE, json={"tokenName": "ci"}))
    exact(
        bob.post(GENERATE, json={"tokenName": "ci"}),
        400,
        b'{"success":false,"error":"A token with this name already exists '
        b'[error-token-already-exists]","errorType":"error-token-already-exists"}',
    )
    # Another user may use the same name.
    ok(admin.post(GENERATE, json={"tokenName": "ci"}))
    assert len(ok(bob.get(LIST))["tokens"]) == 1


def test_longest_name_and_unknown_long_names(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    ok(bob.post(GENERATE, json={"tokenName": "n" * 255}))
    assert ok(bob.get(LIST))["tokens"][0]["name"] == "n" * 255
    body = coded("error-token-does-not-exists", "Token does not exist")
    exact(bob.post(REGENERATE, json={"tokenName": "n" * 5000}), 400, body)
    exact(bob.post(REMOVE, json={"tokenName": "n" * 5000}), 400, body)


def test_concurrent_duplicate_names(server: LiveServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bob = server.create_user(server.admin(), "bob")

    def generate(_: int) -> httpx.Response:
        headers = {"X-User-Id": bob.user_id or "", "X-Auth-Token": bob.token or ""}
        with httpx.Client(base_url=server.base_url, headers=headers) as http:
            return http.post(GENERATE, json={"tokenName": "same"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(generate, range(8)))
    assert sorted(r.status_code for r in answers) == [200] + [400] * 7
    assert len(ok(bob.get(LIST))["tokens"]) == 1


def test_unknown_name(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    body = coded("error-token-does-not-exists", "Token does not exist")
    exact(bob.post(REGENERATE, json={"tokenName": "nope"}), 400, body)
    exact(bob.post(REMOVE, json={"tokenName": "nope"}), 400, body)


def test_tokens_of_other_users_are_invisible(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    ok(admin.post(GENERATE, json={"tokenName": "admins"}))
    exact(bob.get(LIST), 200, {"tokens": [], "success": True})
    body = coded("error-token-does-not-exists", "Token does not exist")
    exact(bob.post(REMOVE, json={"tokenName": "admins"}), 400, body)
    assert len(ok(admin.get(LIST))["tokens"]) == 1


PAT_VALIDATION: list[Any] = [
    (GENERATE, {}, "must have required property 'tokenName'"),
    (GENERATE, {"tokenName": 5}, "must be string"),
    (GENERATE, {"tokenName": None}, "must be string"),
    (GENERATE, {"tokenName": "x", "extra": 1}, "must NOT have additional properties"),
    (GENERATE, {"tokenName": "x", "bypassTwoFactor": "true"}, "must be boolean"),
    (GENERATE, [], "must be object"),
    (REGENERATE, {}, "must have required property 'tokenName'"),
    (
        REGENERATE,
        {"tokenName": "x", "bypassTwoFactor": True},
        "must NOT have additional properties",
    ),
    (REMOVE, {"tokenName": ["x"]}, "must be string"),
    (GENERATE, {"tokenName": "n" * 256}, "must NOT have more than 255 characters"),
]


def test_validation(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    for path, body, message in PAT_VALIDATION:
        exact(bob.post(path, json=body), 400, invalid(message), (path, body))


def test_plain_user_has_the_permission_and_guest_has_not(server: LiveServer) -> None:
    admin = server.admin()
    perms = ok(admin.get("/api/v1/permissions.listAll"))["update"]
    roles = {p["_id"]: p["roles"] for p in perms}
    assert roles["create-personal-access-tokens"] == ["admin", "user"]
    ok(server.create_user(admin, "bob").post(GENERATE, json={"tokenName": "x"}))
    guest = server.create_user(admin, "gus", roles=["guest"])
    for method, path, body in (
        ("POST", GENERATE, {"tokenName": "x"}),
        ("POST", REGENERATE, {"tokenName": "x"}),
        ("POST", REMOVE, {"tokenName": "x"}),
        ("GET", LIST, None),
    ):
        exact(guest.http.request(method, path, json=body), 403, FORBIDDEN)


def test_personal_tokens_are_stored_hashed(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    token = ok(bob.post(GENERATE, json={"tokenName": "ci"}))["token"]
    with server.ctx.engine.connect() as conn:
        row = conn.execute(
            select(tables.login_tokens).where(tables.login_tokens.c.kind == "personalAccessToken")
        ).one()
    assert row.hashed_token == base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()
    assert row.last_token_part == token[-6:]
    assert row.expires_at is None
    assert row.name == "ci"
    for value in row:
        assert token not in str(value)


def test_logout_with_a_personal_token_revokes_only_it(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    token = ok(bob.post(GENERATE, json={"tokenName": "ci"}))["token"]
    pat = as_token(server, bob.user_id, token)
    exact(pat.post("/api/v1/logout"), 200, LOGGED_OUT)
    exact(pat.get("/api/v1/me"), 401, UNAUTHORIZED)
    ok(bob.get("/api/v1/me"))
