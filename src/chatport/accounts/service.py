"""Account use cases: authentication, login, tokens, users, permissions.

The rules here are Rocket.Chat's (Meteor accounts): hashed login tokens bound to their user,
bcrypt over SHA-256 passwords, roles as global permission grants.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from chatport import ids
from chatport.accounts import repository as repo
from chatport.accounts import seed, throttle
from chatport.accounts.passwords import hash_password, is_digest, sha256_hex, verify_digest
from chatport.accounts.tokens import hash_token
from chatport.clock import Clock, iso_ms
from chatport.config import Config
from chatport.errors import CodedError, LoginBlocked, LoginFailed

log = logging.getLogger("chatport.accounts")

TEST_ADMIN = "rocketchat.internal.admin.test"
USERNAME_RE = re.compile(r"[0-9a-zA-Z._-]+")
EMAIL_RE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
DAY_MS = 86_400_000
# The users table's column widths (usernames up to 255, e-mail addresses up to 320 octets,
# of which RFC 5321 allows 254 in a path).
MAX_USERNAME = 255
MAX_EMAIL = 254


@dataclass(frozen=True)
class AuthUser:
    id: str
    username: str | None
    roles: tuple[str, ...]
    token_id: int


class Accounts:
    def __init__(self, engine: Engine, clock: Clock, config: Config):
        self._engine = engine
        self._clock = clock
        self._config = config

    # --- authentication ----------------------------------------------------------------

    def authenticate(self, user_id: str | None, token: str | None) -> AuthUser | None:
        admitted = self.admit(user_id, token, ())
        return admitted[0] if admitted else None

    def admit(
        self, user_id: str | None, token: str | None, permissions: Sequence[str]
    ) -> tuple[AuthUser, frozenset[str]] | None:
        """:meth:`authenticate`, and which of ``permissions`` the user holds, on one
        connection: every API request asks both, and on PostgreSQL each connection taken from
        the pool costs a round trip more."""
        if not user_id or not token:
            return None
        hashed = hash_token(token)
        with self._engine.connect() as conn:
            entry = repo.find_token(conn, hashed)
            # Bytes, not str: compare_digest refuses non-ASCII text, and header values may be
            # any latin-1 text.
            if entry is None or not hmac.compare_digest(
                entry.user_id.encode("utf-8"), user_id.encode("utf-8", "surrogatepass")
            ):
                return None
            if entry.expires_at is not None and entry.expires_at <= self._clock.now_ms():
                return None
            user = repo.get_user(conn, user_id)
            if user is None or not user.active:
                return None
            grants = repo.permission_roles(conn, permissions) if permissions else {}
        roles = set(user.roles)
        held = frozenset(p for p in permissions if roles & set(grants.get(p, ())))
        return AuthUser(user.id, user.username, tuple(user.roles), entry.id), held

    def granted(self, user: AuthUser, permissions: Sequence[str]) -> bool:
        """All listed permissions must be held through one of the user's roles."""
        if not permissions:
            return True
        with self._engine.connect() as conn:
            grants = repo.permission_roles(conn, permissions)
        return all(set(grants.get(p, ())) & set(user.roles) for p in permissions)

    # --- login / logout ----------------------------------------------------------------

    def _refuse(self, key: str, scope: str, now: int) -> None:
        """A refused attempt: ``LoginBlocked`` while a block runs, else (attempts still being
        checked fill the window) the plain failure."""
        with self._engine.connect() as conn:
            until = throttle.blocked_until(conn, key, now)
        if until is not None:
            raise LoginBlocked(scope, until, now)
        raise LoginFailed()

    def login(self, body: Any, ip: str) -> tuple[repo.UserRow, str]:
        """Password or resume login; every failure is the same ``LoginFailed``.

        Throttling (security §1.10.4): each attempt is counted for the client IP and for the
        user before the password is checked, so parallel guesses cannot outrun the count.  The
        user key is the account itself when the identifier names one (a username, its email
        and any case of them count together), else the identifier as typed: unknown users are
        throttled alike and the answer never tells which exist.
        """
        if not isinstance(body, dict):
            raise LoginFailed()
        now = self._clock.now_ms()
        if isinstance(body.get("resume"), str):
            return self._resume(body["resume"], now)
        identifier, by_email = _identifier(body)
        digest = _password_digest(body.get("password"))
        if identifier is None or digest is None:
            raise LoginFailed()
        with self._engine.connect() as conn:
            user = (
                repo.find_by_email(conn, identifier)
                if by_email
                else repo.find_by_username(conn, identifier)
            )
        user_key = f"user:{user.id}" if user else f"name:{identifier.lower()}"
        ip_key = f"ip:{ip}"
        config = self._config
        block_ms = config.login_block_seconds * 1000
        with self._engine.begin() as conn:
            ip_allowed = throttle.acquire(conn, ip_key, config.login_ip_failures, block_ms, now)
        if not ip_allowed:
            self._refuse(ip_key, "ip", now)
        with self._engine.begin() as conn:
            user_allowed = throttle.acquire(
                conn, user_key, config.login_user_failures, block_ms, now
            )
        if not user_allowed:
            with self._engine.begin() as conn:
                throttle.fail(conn, ip_key, config.login_ip_failures, block_ms, now)
            self._refuse(user_key, "user", now)
        ok = verify_digest(digest, user.password_bcrypt if user else None, config.bcrypt_rounds)
        if not ok or user is None or not user.active:
            now = self._clock.now_ms()
            with self._engine.begin() as conn:
                throttle.fail(conn, user_key, config.login_user_failures, block_ms, now)
                throttle.fail(conn, ip_key, config.login_ip_failures, block_ms, now)
            log.info("login failed for an identifier from %s", ip)
            raise LoginFailed()
        token = ids.login_token()
        with self._engine.begin() as conn:
            throttle.clear(conn, user_key)
            throttle.release(conn, ip_key)
            repo.add_token(
                conn,
                user_id=user.id,
                hashed_token=hash_token(token),
                kind="login",
                now=now,
                expires_at=now + config.login_token_ttl_days * DAY_MS,
            )
        return user, token

    def _resume(self, token: str, now: int) -> tuple[repo.UserRow, str]:
        with self._engine.connect() as conn:
            entry = repo.find_token(conn, hash_token(token))
            user = repo.get_user(conn, entry.user_id) if entry else None
        if entry is None or user is None or not user.active:
            raise LoginFailed()
        if entry.expires_at is not None and entry.expires_at <= now:
            raise LoginFailed()
        return user, token

    def logout(self, auth: AuthUser) -> None:
        with self._engine.begin() as conn:
            repo.delete_token(conn, auth.token_id)

    # --- profiles ----------------------------------------------------------------------

    def get(self, user_id: str) -> repo.UserRow | None:
        with self._engine.connect() as conn:
            return repo.get_user(conn, user_id)

    def find(
        self, *, user_id: str | None = None, username: str | None = None
    ) -> repo.UserRow | None:
        with self._engine.connect() as conn:
            if user_id:
                return repo.get_user(conn, user_id)
            if username:
                return repo.find_by_username(conn, username)
        return None

    def list_users(self, offset: int, count: int | None) -> tuple[list[repo.UserRow], int]:
        with self._engine.connect() as conn:
            return repo.list_users(conn, offset, count)

    # --- personal access tokens ----------------------------------------------------------

    def generate_personal_token(self, auth: AuthUser, name: str, bypass: bool) -> str:
        now = self._clock.now_ms()
        exists = CodedError("error-token-already-exists", "A token with this name already exists")
        try:
            with self._engine.begin() as conn:
                if any(t.name == name for t in repo.personal_tokens(conn, auth.id)):
                    raise exists
                return self._add_personal(conn, auth.id, name, bypass, now)
        except IntegrityError:
            # The (user, name) constraint caught a concurrent request with the same name.
            raise exists from None

    def regenerate_personal_token(self, auth: AuthUser, name: str) -> str:
        now = self._clock.now_ms()
        with self._engine.begin() as conn:
            existing = [t for t in repo.personal_tokens(conn, auth.id) if t.name == name]
            if not existing:
                raise CodedError("error-token-does-not-exists", "Token does not exist")
            repo.delete_personal_token(conn, auth.id, name)
            return self._add_personal(conn, auth.id, name, existing[0].bypass_two_factor, now)

    def _add_personal(self, conn: Any, user_id: str, name: str, bypass: bool, now: int) -> str:
        token = ids.login_token()
        repo.add_token(
            conn,
            user_id=user_id,
            hashed_token=hash_token(token),
            kind="personalAccessToken",
            now=now,
            name=name,
            last_token_part=token[-6:],
            bypass_two_factor=bypass,
        )
        return token

    def remove_personal_token(self, auth: AuthUser, name: str) -> None:
        with self._engine.begin() as conn:
            if not repo.delete_personal_token(conn, auth.id, name):
                raise CodedError("error-token-does-not-exists", "Token does not exist")

    def personal_tokens(self, auth: AuthUser) -> list[dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = repo.personal_tokens(conn, auth.id)
        return [
            {
                "name": t.name,
                "createdAt": iso_ms(t.created_at),
                "lastTokenPart": t.last_token_part,
                "bypassTwoFactor": t.bypass_two_factor,
            }
            for t in rows
        ]

    # --- user administration -------------------------------------------------------------

    def create_user(
        self,
        *,
        username: str,
        email: str,
        name: str,
        password: str | None,
        roles: Sequence[str] = ("user",),
        active: bool = True,
        verified: bool = False,
        user_id: str | None = None,
        require_password_change: bool = False,
    ) -> repo.UserRow:
        if len(username) > MAX_USERNAME or not USERNAME_RE.fullmatch(username):
            raise CodedError(
                "error-input-is-not-a-valid-field", f"{username} is not a valid username"
            )
        if len(email) > MAX_EMAIL or not EMAIL_RE.fullmatch(email):
            raise CodedError("error-invalid-email", f"Invalid email {email}")
        now = self._clock.now_ms()
        bcrypt_hash = hash_password(password, self._config.bcrypt_rounds) if password else None
        doc: dict[str, Any] = {
            "username": username,
            "emails": [{"address": email.lower(), "verified": verified}],
            "type": "user",
            "status": "offline",
            "name": name,
        }
        if require_password_change:
            doc["requirePasswordChange"] = True
        new_id = user_id or ids.random_id()
        taken = CodedError("error-field-unavailable", f"{username} is already in use :(")
        try:
            with self._engine.begin() as conn:
                if repo.find_by_username(conn, username):
                    raise taken
                if repo.find_by_email(conn, email):
                    raise CodedError("error-field-unavailable", f"{email} is already in use :(")
                repo.insert_user(
                    conn,
                    user_id=new_id,
                    doc=doc,
                    roles=list(dict.fromkeys(roles)),
                    active=active,
                    password_bcrypt=bcrypt_hash,
                    now=now,
                )
                created = repo.get_user(conn, new_id)
        except IntegrityError:
            # A concurrent request took the name between the check and the insert.
            raise taken from None
        assert created is not None
        return created

    def set_password(
        self, login: str, password: str, *, require_change: bool = False
    ) -> repo.UserRow:
        """Give an account (an imported one: it has only a random secret) a password.

        ``login`` is a username, an email or a user id. The account keeps its other fields;
        ``requirePasswordChange`` goes (unless ``require_change``: the user picks a new one
        at first login). Raises
        :class:`CodedError` ``error-invalid-user`` for no such account.
        """
        if not password:
            raise CodedError("error-invalid-password", "a password is required")
        with self._engine.begin() as conn:
            user = (
                repo.get_user(conn, login)
                or repo.find_by_username(conn, login)
                or (repo.find_by_email(conn, login) if "@" in login else None)
            )
            if user is None:
                raise CodedError("error-invalid-user", f"no user {login!r}")
            now = self._clock.now_ms()
            repo.set_password_hash(
                conn, user.id, hash_password(password, self._config.bcrypt_rounds), now
            )
            doc = {k: v for k, v in user.doc.items() if k != "requirePasswordChange"}
            if require_change:
                doc["requirePasswordChange"] = True
            if doc != user.doc:
                repo.update_user_doc(conn, user.id, doc, now)
            changed = repo.get_user(conn, user.id)
        assert changed is not None
        return changed

    def delete_user(self, *, user_id: str | None, username: str | None) -> None:
        with self._engine.begin() as conn:
            user = None
            if user_id:
                user = repo.get_user(conn, user_id)
            elif username:
                user = repo.find_by_username(conn, username)
            if user is None:
                raise CodedError(
                    "error-invalid-user",
                    'The required "userId" or "username" param provided does not match any users',
                )
            repo.delete_user(conn, user.id)

    def permissions(self) -> list[dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = repo.all_permissions(conn)
        return [{"_id": i, "roles": r, "_updatedAt": iso_ms(u)} for i, r, u in rows]

    # --- start-up ------------------------------------------------------------------------

    def seed(self) -> None:
        with self._engine.begin() as conn:
            repo.seed_roles(conn, seed.ROLES)
            repo.seed_permissions(conn, seed.PERMISSIONS, self._clock.now_ms())

    def recreate_test_admin(self) -> None:
        """TEST_MODE: the admin Rocket.Chat's API tests log in as, recreated at each start."""
        with self._engine.begin() as conn:
            repo.delete_user(conn, TEST_ADMIN)
            existing = repo.find_by_username(conn, TEST_ADMIN)
            if existing:
                repo.delete_user(conn, existing.id)
        self.create_user(
            username=TEST_ADMIN,
            email=f"{TEST_ADMIN}@rocket.chat",
            name=TEST_ADMIN,
            password=TEST_ADMIN,
            roles=("admin",),
            verified=True,
            user_id=TEST_ADMIN,
        )

    def has_admin(self) -> bool:
        with self._engine.connect() as conn:
            return repo.any_admin(conn)


def _identifier(body: dict[str, Any]) -> tuple[str | None, bool]:
    user = body.get("user")
    if isinstance(user, str) and user:
        return user, "@" in user
    if isinstance(user, dict):
        if isinstance(user.get("email"), str):
            return user["email"], True
        if isinstance(user.get("username"), str):
            return user["username"], False
    if isinstance(body.get("username"), str) and body["username"]:
        return body["username"], False
    if isinstance(body.get("email"), str) and body["email"]:
        return body["email"], True
    return None, False


def _password_digest(password: Any) -> str | None:
    if isinstance(password, str) and password:
        return sha256_hex(password)
    if (
        isinstance(password, dict)
        and isinstance(password.get("digest"), str)
        and is_digest(password["digest"])
        and password.get("algorithm") == "sha-256"
    ):
        return str(password["digest"]).lower()
    return None
