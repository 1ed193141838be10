"""users.create / delete / info / list and permissions.listAll (rest-api §2.6, §5)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from chatport.db import tables
from tests.api.test_auth_support import (
    FORBIDDEN,
    ISO_RE,
    LOGIN_FAILED,
    USER_ID_RE,
    coded,
    exact,
    invalid,
    ok,
)
from tests.support.server import ADMIN, LiveServer

CREATE = "/api/v1/users.create"
DELETE = "/api/v1/users.delete"


def new_user(name: str = "alice", **extra: Any) -> dict[str, Any]:
    return {
        "email": f"{name}@rocket.chat",
        "name": name,
        "username": name,
        "password": "rocket.chat",
        **extra,
    }


def user_exists(server: LiveServer, user_id: str) -> bool:
    with server.ctx.engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(tables.users).where(tables.users.c.id == user_id)
        ).scalar_one()
    return bool(count)


# --- users.create --------------------------------------------------------------------------


def test_create_exact_shape(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post(CREATE, json=new_user("user.test.1700000000000.1"))
    user = r.json()["user"]
    assert USER_ID_RE.fullmatch(user["_id"])
    assert ISO_RE.fullmatch(user["createdAt"])
    exact(
        r,
        200,
        {
            "user": {
                "_id": user["_id"],
                "username": "user.test.1700000000000.1",
                "name": "user.test.1700000000000.1",
                "emails": [{"address": "user.test.1700000000000.1@rocket.chat", "verified": False}],
                "roles": ["user"],
                "active": True,
                "type": "user",
                "createdAt": user["createdAt"],
            },
            "success": True,
        },
    )
    # The new user can log in with the password.
    r = httpx.post(
        f"{server.base_url}/api/v1/login",
        json={"user": "user.test.1700000000000.1", "password": "rocket.chat"},
    )
    assert ok(r)["data"]["userId"] == user["_id"]


def test_create_honours_active_roles_verified(server: LiveServer) -> None:
    admin = server.admin()
    user = ok(
        admin.post(
            CREATE,
            json=new_user("bot1", active=False, roles=["bot", "user"], verified=True),
        )
    )["user"]
    assert user["active"] is False
    assert user["roles"] == ["bot", "user"]
    assert user["emails"] == [{"address": "bot1@rocket.chat", "verified": True}]
    r = httpx.post(
        f"{server.base_url}/api/v1/login", json={"user": "bot1", "password": "rocket.chat"}
    )
    exact(r, 401, LOGIN_FAILED)


def test_create_accepts_nulls_and_ignored_fields(server: LiveServer) -> None:
    admin = server.admin()
    body = new_user(
        "nully",
        active=None,
        verified=None,
        joinDefaultChannels=None,
        requirePasswordChange=False,
        setRandomPassword=None,
        sendWelcomeEmail=True,
        bio=None,
        nickname="nick",
        statusText=None,
        fields=None,
        freeSwitchExtension=None,
        customFields={"a": 1},
        phones=None,
    )
    user = ok(admin.post(CREATE, json=body))["user"]
    assert user["active"] is True
    assert user["roles"] == ["user"]
    assert user["emails"][0]["verified"] is False


def test_create_form_encoded(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post(CREATE, data=new_user("formy"))
    assert ok(r)["user"]["username"] == "formy"


CREATE_INVALID: list[Any] = [
    ({}, "must have required property 'email'"),
    ({"name": "a", "username": "a", "password": "p"}, "must have required property 'email'"),
    (
        {"email": "a@b.c", "username": "a", "password": "p"},
        "must have required property 'name'",
    ),
    (
        {"email": "a@b.c", "name": "a", "username": "a"},
        "must have required property 'password'",
    ),
    (
        {"email": "a@b.c", "name": "a", "password": "p"},
        "must have required property 'username'",
    ),
    (new_user(extra=1), "must NOT have additional properties"),
    (new_user(extra=1, email=5), "must NOT have additional properties"),
    (new_user(email=5), "must be string"),
    (new_user(name=None), "must be string"),
    (new_user(password=["x"]), "must be string"),
    (new_user(username=True), "must be string"),
    (new_user(active="true"), "must be boolean"),
    (new_user(active=1), "must be boolean"),
    (new_user(verified="false"), "must be boolean"),
    (new_user(roles="admin"), "must be array"),
    (new_user(roles=None), "must be array"),
    (new_user(roles=["admin", 1]), "must be string"),
    (new_user(customFields=[]), "must be object"),
    (new_user(customFields=None), "must be object"),
    (new_user(phones="555"), "must be array"),
    (new_user(bio=5), "must be string"),
    ([], "must be object"),
    ([new_user()], "must be object"),
    ("a string body", "must have required property 'email'"),
]


def test_create_validation(server: LiveServer) -> None:
    admin = server.admin()
    for body, message in CREATE_INVALID:
        exact(admin.post(CREATE, json=body), 400, invalid(message), body)


CREATE_RAW_BODIES: list[Any] = [
    (b"", "application/json", "must have required property 'email'"),
    (b"{broken", "application/json", "must have required property 'email'"),
    (b"null", "application/json", "must have required property 'email'"),
    (b"42", "application/json", "must have required property 'email'"),
    (b"hello", "text/plain", "must have required property 'email'"),
    (b"--x--", "multipart/form-data; boundary=x", "must have required property 'email'"),
    (
        b"email=a%40b.c&name=a&username=a&password=p&active=true",
        "application/x-www-form-urlencoded",
        "must be boolean",
    ),
]


def test_create_raw_bodies(server: LiveServer) -> None:
    admin = server.admin()
    for content, ctype, message in CREATE_RAW_BODIES:
        r = admin.post(CREATE, content=content, headers={"Content-Type": ctype})
        exact(r, 400, invalid(message), content)


def test_create_taken_username_and_email(server: LiveServer) -> None:
    admin = server.admin()
    ok(admin.post(CREATE, json=new_user("bob")))
    exact(
        admin.post(CREATE, json=new_user("bob", email="other@rocket.chat")),
        400,
        b'{"success":false,"error":"bob is already in use :( [error-field-unavailable]",'
        b'"errorType":"error-field-unavailable"}',
    )
    exact(
        admin.post(CREATE, json=new_user("BOB", email="other@rocket.chat")),
        400,
        coded("error-field-unavailable", "BOB is already in use :("),
    )
    exact(
        admin.post(CREATE, json=new_user("bobby", email="Bob@Rocket.Chat")),
        400,
        coded("error-field-unavailable", "Bob@Rocket.Chat is already in use :("),
    )
    exact(
        admin.post(CREATE, json=new_user(ADMIN, email="x@rocket.chat")),
        400,
        coded("error-field-unavailable", f"{ADMIN} is already in use :("),
    )


BAD_USERNAMES: list[Any] = [
    "bad name",
    "",
    "a/b",
    "ünï",
    "a@b",
    "x" * 256,
    "bob\n",
    "\nbob",
]


def test_create_nul_username_is_refused_before_the_database(server: LiveServer) -> None:
    """PostgreSQL holds no NUL: both backends answer the same 400 (issue defect 14)."""
    r = server.admin().post(CREATE, json=new_user("ok", username="a\x00b"))
    assert r.status_code == 400
    assert r.json() == {
        "success": False,
        "error": "Request parameters must not contain NUL characters (U+0000)",
    }


def test_create_invalid_username(server: LiveServer) -> None:
    admin = server.admin()
    for username in BAD_USERNAMES:
        r = admin.post(CREATE, json=new_user("ok", username=username))
        exact(
            r,
            400,
            coded("error-input-is-not-a-valid-field", f"{username} is not a valid username"),
            username,
        )


BAD_EMAILS: list[Any] = [
    "nope",
    "",
    "a@b",
    "a b@c.d",
    "@c.d",
    "a@@b.c",
    "a@b.c\n",
    "a" * 250 + "@b.cd",
]


def test_create_invalid_email(server: LiveServer) -> None:
    admin = server.admin()
    for email in BAD_EMAILS:
        r = admin.post(CREATE, json=new_user("ok", email=email))
        exact(r, 400, coded("error-invalid-email", f"Invalid email {email}"), email)


def test_create_longest_names(server: LiveServer) -> None:
    admin = server.admin()
    username = "u" * 255
    email = "e" * 244 + "@rocket.ch"
    assert len(email) == 254
    user = ok(admin.post(CREATE, json=new_user("x", username=username, email=email)))["user"]
    assert user["username"] == username
    assert user["emails"][0]["address"] == email


def test_create_concurrent_same_username(server: LiveServer) -> None:
    """Racing creations of one name: one wins, the others get the coded error, never a 500."""
    from concurrent.futures import ThreadPoolExecutor

    admin = server.admin()

    def create(index: int) -> httpx.Response:
        with httpx.Client(
            base_url=server.base_url,
            headers={"X-User-Id": admin.user_id or "", "X-Auth-Token": admin.token or ""},
        ) as http:
            return http.post(CREATE, json=new_user("racer", email=f"r{index}@rocket.chat"))

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(create, range(8)))
    assert sorted(r.status_code for r in answers) == [200] + [400] * 7
    for r in answers:
        if r.status_code == 400:
            exact(r, 400, coded("error-field-unavailable", "racer is already in use :("))


def test_create_uses_default_roles_setting(server: LiveServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "Accounts_Registration_Users_Default_Roles", " user, bot ,,")
    assert ok(admin.post(CREATE, json=new_user("carl")))["user"]["roles"] == ["user", "bot"]
    assert ok(admin.post(CREATE, json=new_user("dora", roles=["guest"])))["user"]["roles"] == [
        "guest"
    ]


# --- users.delete --------------------------------------------------------------------------


def test_delete_by_user_id(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    assert bob.user_id
    exact(admin.post(DELETE, json={"userId": bob.user_id}), 200, {"success": True})
    assert not user_exists(server, bob.user_id)
    with server.ctx.engine.connect() as conn:
        tokens = conn.execute(
            select(func.count())
            .select_from(tables.login_tokens)
            .where(tables.login_tokens.c.user_id == bob.user_id)
        ).scalar_one()
    assert tokens == 0
    # The name is free again.
    ok(admin.post(CREATE, json=new_user("bob")))


def test_delete_by_username(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    assert bob.user_id
    exact(
        admin.post(DELETE, json={"username": "bob", "confirmRelinquish": True}),
        200,
        {"success": True},
    )
    assert not user_exists(server, bob.user_id)


def test_delete_coerces(server: LiveServer) -> None:
    admin = server.admin()
    server.create_user(admin, "bob")
    r = admin.post(DELETE, data={"username": "bob", "confirmRelinquish": "true"})
    exact(r, 200, {"success": True})


def test_delete_unknown(server: LiveServer) -> None:
    admin = server.admin()
    body = coded(
        "error-invalid-user",
        'The required "userId" or "username" param provided does not match any users',
    )
    exact(admin.post(DELETE, json={"userId": "nope"}), 400, body)
    exact(admin.post(DELETE, json={"username": "nope"}), 400, body)
    exact(admin.post(DELETE, json={"userId": ""}), 400, body)
    exact(admin.post(DELETE, json={"userId": "x" * 5000}), 400, body)
    exact(admin.post(DELETE, json={"username": "x" * 5000}), 400, body)


DELETE_INVALID: list[Any] = [
    ({}, "must have required property 'userId'"),
    ({"confirmRelinquish": True}, "must have required property 'userId'"),
    ({"extra": 1}, "must have required property 'userId'"),
    ({"userid": "x"}, "must have required property 'userId'"),
    ({"userId": "x", "extra": 1}, "must NOT have additional properties"),
    ({"userId": ["x"]}, "must be string"),
    ({"userId": {"$ne": ""}}, "must be string"),
    ({"username": "x", "confirmRelinquish": "maybe"}, "must be boolean"),
    ([], "must be object"),
]


def test_delete_validation(server: LiveServer) -> None:
    admin = server.admin()
    for body, message in DELETE_INVALID:
        exact(admin.post(DELETE, json=body), 400, invalid(message), body)


# --- users.info / users.list ----------------------------------------------------------------


def test_info(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    full = ok(admin.get("/api/v1/users.info", params={"userId": bob.user_id}))["user"]
    assert full["_id"] == bob.user_id
    assert full["username"] == "bob"
    assert full["emails"] == [{"address": "bob@rocket.chat", "verified": False}]
    assert "services" not in full and "password" not in full
    by_name = ok(admin.get("/api/v1/users.info", params={"username": "bob"}))["user"]
    assert by_name == full
    # A plain user sees the public view of others, and everything of itself.
    public = ok(bob.get("/api/v1/users.info", params={"username": ADMIN}))["user"]
    assert "emails" not in public and "roles" not in public
    assert public["username"] == ADMIN
    mine = ok(bob.get("/api/v1/users.info", params={"userId": bob.user_id}))["user"]
    assert mine["emails"] == full["emails"]


def test_info_errors(server: LiveServer) -> None:
    admin = server.admin()
    exact(
        admin.get("/api/v1/users.info", params={"userId": "nope"}),
        400,
        coded(
            "error-invalid-user",
            'The required "userId" or "username" param provided does not match any users',
        ),
    )
    exact(
        admin.get("/api/v1/users.info"),
        400,
        invalid("must have required property 'userId'", query=True),
    )


def test_list(server: LiveServer) -> None:
    admin = server.admin()
    for name in ("bob", "carol", "dave"):
        server.create_user(admin, name)
    data = ok(admin.get("/api/v1/users.list"))
    assert list(data) == ["users", "count", "offset", "total", "success"]
    assert data["count"] == data["total"] == 4
    assert data["offset"] == 0
    assert [u["username"] for u in data["users"]] == ["bob", "carol", "dave", ADMIN]
    page = ok(admin.get("/api/v1/users.list", params={"count": 2, "offset": 1}))
    assert [u["username"] for u in page["users"]] == ["carol", "dave"]
    assert (page["count"], page["offset"], page["total"]) == (2, 1, 4)
    huge = ok(admin.get("/api/v1/users.list", params={"count": "1e30", "offset": "1e30"}))
    assert huge["users"] == [] and huge["total"] == 4
    everyone = ok(admin.get("/api/v1/users.list", params={"count": "1e30"}))
    assert everyone["count"] == 4
    exact(
        admin.get("/api/v1/users.list", params={"count": "many"}),
        400,
        invalid("must be number", query=True),
    )


# --- permissions -----------------------------------------------------------------------------


FORBIDDEN_CALLS: list[tuple[str, str, Any]] = [
    ("POST", CREATE, new_user("eve")),
    ("POST", DELETE, {"username": ADMIN}),
    ("GET", "/api/v1/settings/SSRF_Allowlist", None),
    ("POST", "/api/v1/settings/SSRF_Allowlist", {"value": "evil.test"}),
    ("GET", "/api/v1/settings/nope", None),
    ("POST", "/api/v1/settings/nope", {"value": 1}),
]


def test_plain_user_is_forbidden(server: LiveServer) -> None:
    admin = server.admin()
    bob = server.create_user(admin, "bob")
    for method, path, body in FORBIDDEN_CALLS:
        exact(bob.http.request(method, path, json=body), 403, FORBIDDEN, (method, path))
    # Nothing happened.
    assert user_exists(server, ADMIN)
    assert ok(admin.get("/api/v1/settings/SSRF_Allowlist"))["value"] == ""
    exact(
        admin.get("/api/v1/users.info", params={"username": "eve"}),
        400,
        coded(
            "error-invalid-user",
            'The required "userId" or "username" param provided does not match any users',
        ),
    )


def test_permissions_list_all(server: LiveServer) -> None:
    bob = server.create_user(server.admin(), "bob")
    data = ok(bob.get("/api/v1/permissions.listAll"))
    assert list(data) == ["update", "remove", "success"]
    assert data["remove"] == []
    by_id = {p["_id"]: p for p in data["update"]}
    run_import = by_id["run-import"]
    assert list(run_import) == ["_id", "roles", "_updatedAt"]
    assert run_import["roles"] == ["admin"]
    assert ISO_RE.fullmatch(run_import["_updatedAt"])
    expected = {
        "run-import": ["admin"],
        "view-import-operations": ["admin"],
        "create-user": ["admin"],
        "delete-user": ["admin"],
        "view-privileged-setting": ["admin"],
        "edit-privileged-setting": ["admin"],
        "create-personal-access-tokens": ["admin", "user"],
        "api-bypass-rate-limit": ["admin", "bot", "app"],
    }
    for permission, roles in expected.items():
        assert by_id[permission]["roles"] == roles, permission


def test_roles_seeded(server: LiveServer) -> None:
    with server.ctx.engine.connect() as conn:
        roles = {r for (r,) in conn.execute(select(tables.roles.c.id))}
    assert {
        "admin",
        "user",
        "bot",
        "app",
        "guest",
        "anonymous",
        "owner",
        "moderator",
        "leader",
    } <= roles


def test_user_with_admin_role_created_over_api_is_admin(server: LiveServer) -> None:
    admin = server.admin()
    boss = server.create_user(admin, "boss", roles=["admin"])
    ok(boss.post(CREATE, json=new_user("minion")))
    ok(boss.get("/api/v1/settings/SSRF_Allowlist"))
