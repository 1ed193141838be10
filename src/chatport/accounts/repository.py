"""SQL for users, login tokens, roles and permissions. Nothing else touches these tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from chatport.clock import iso_ms
from chatport.db import tables
from chatport.db.dialect import insert

U = tables.users
T = tables.login_tokens


@dataclass(frozen=True)
class UserRow:
    id: str
    username: str | None
    active: bool
    roles: list[str]
    password_bcrypt: str | None
    created_at: int
    updated_at: int
    doc: dict[str, Any]

    def document(self) -> dict[str, Any]:
        """The Rocket.Chat user document (no services, no password)."""
        out: dict[str, Any] = {"_id": self.id, "createdAt": iso_ms(self.created_at)}
        out.update(self.doc)
        out["active"] = self.active
        out["roles"] = list(self.roles)
        out["_updatedAt"] = iso_ms(self.updated_at)
        return out


def _row(r: Any) -> UserRow:
    return UserRow(
        id=r.id,
        username=r.username,
        active=bool(r.active),
        roles=list(r.roles),
        password_bcrypt=r.password_bcrypt,
        created_at=r.created_at,
        updated_at=r.updated_at,
        doc=dict(r.doc),
    )


def first_email(doc: dict[str, Any]) -> str | None:
    emails = doc.get("emails") or []
    return emails[0]["address"].lower() if emails else None


def insert_user(
    conn: Connection,
    *,
    user_id: str,
    doc: dict[str, Any],
    roles: Sequence[str],
    active: bool,
    password_bcrypt: str | None,
    now: int,
) -> None:
    username = doc.get("username")
    # Values as parameters of one plain statement: compiled once and cached (imports insert
    # users by the thousand), where ``.values(...)`` was compiled again for every user.
    conn.execute(
        U.insert(),
        {
            "id": user_id,
            "username": username,
            "username_lower": username.lower() if username else None,
            "email_lower": first_email(doc),
            "active": active,
            "roles": list(roles),
            "password_bcrypt": password_bcrypt,
            "created_at": now,
            "updated_at": now,
            "doc": doc,
        },
    )


def get_user(conn: Connection, user_id: str) -> UserRow | None:
    r = conn.execute(select(U).where(U.c.id == user_id)).first()
    return _row(r) if r else None


def find_by_username(conn: Connection, username: str) -> UserRow | None:
    r = conn.execute(select(U).where(U.c.username_lower == username.lower())).first()
    return _row(r) if r else None


def find_by_email(conn: Connection, email: str) -> UserRow | None:
    r = conn.execute(
        select(U).where(U.c.email_lower == email.lower()).order_by(U.c.created_at)
    ).first()
    return _row(r) if r else None


def delete_user(conn: Connection, user_id: str) -> bool:
    conn.execute(delete(T).where(T.c.user_id == user_id))
    conn.execute(delete(tables.user_import_ids).where(tables.user_import_ids.c.user_id == user_id))
    return conn.execute(delete(U).where(U.c.id == user_id)).rowcount > 0


def any_admin(conn: Connection) -> bool:
    for (roles,) in conn.execute(select(U.c.roles).where(U.c.active.is_(True))):
        if "admin" in roles:
            return True
    return False


def list_users(
    conn: Connection, offset: int, count: int | None, sort_desc: bool = False
) -> tuple[list[UserRow], int]:
    total = conn.execute(select(func.count()).select_from(U)).scalar_one()
    order = U.c.username_lower.desc() if sort_desc else U.c.username_lower.asc()
    query = select(U).order_by(order, U.c.id).offset(offset)
    if count is not None:
        query = query.limit(count)
    return [_row(r) for r in conn.execute(query)], total


def add_import_ids(
    conn: Connection, user_id: str, namespace: str, import_ids: Iterable[str]
) -> None:
    rows = [{"namespace": namespace, "import_id": i, "user_id": user_id} for i in import_ids]
    if rows:  # executemany: one cached statement, not a multi-row VALUES compiled per call
        conn.execute(insert(conn, tables.user_import_ids).on_conflict_do_nothing(), rows)


def find_by_import_id(conn: Connection, namespace: str, import_id: str) -> UserRow | None:
    r = conn.execute(
        select(U)
        .join(tables.user_import_ids, tables.user_import_ids.c.user_id == U.c.id)
        .where(
            tables.user_import_ids.c.namespace == namespace,
            tables.user_import_ids.c.import_id == import_id,
        )
    ).first()
    return _row(r) if r else None


def find_by_import_ids(
    conn: Connection, namespace: str, import_ids: Sequence[str]
) -> dict[str, UserRow]:
    """:func:`find_by_import_id` for many import ids in one query (the bound ones only)."""
    bound = tables.user_import_ids
    query = (
        select(U, bound.c.import_id)
        .join(bound, bound.c.user_id == U.c.id)
        .where(bound.c.namespace == namespace, bound.c.import_id.in_(list(import_ids)))
    )
    return {r.import_id: _row(r) for r in conn.execute(query)} if import_ids else {}


def find_by_usernames(conn: Connection, usernames: Sequence[str]) -> dict[str, UserRow]:
    """:func:`find_by_username` for many names in one query, keyed by lowercased name."""
    lowered = list({name.lower() for name in usernames})
    if not lowered:
        return {}
    rows = conn.execute(select(U).where(U.c.username_lower.in_(lowered)))
    return {r.username_lower: _row(r) for r in rows}


def users_by_emails(conn: Connection, emails: Sequence[str]) -> list[tuple[str, UserRow]]:
    """Every user whose first email is one of ``emails``, as ``(email, user)``."""
    lowered = list({email.lower() for email in emails})
    if not lowered:
        return []
    rows = conn.execute(select(U).where(U.c.email_lower.in_(lowered)))
    return [(r.email_lower, _row(r)) for r in rows]


def set_password_hash(conn: Connection, user_id: str, bcrypt_hash: str, now: int) -> None:
    conn.execute(
        update(U).where(U.c.id == user_id).values(password_bcrypt=bcrypt_hash, updated_at=now)
    )


def update_user_doc(conn: Connection, user_id: str, doc: dict[str, Any], now: int) -> None:
    conn.execute(update(U).where(U.c.id == user_id).values(doc=doc, updated_at=now))


# --- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRow:
    id: int
    user_id: str
    hashed_token: str
    kind: str
    created_at: int
    expires_at: int | None
    name: str | None
    last_token_part: str | None
    bypass_two_factor: bool


def _token(r: Any) -> TokenRow:
    return TokenRow(
        id=r.id,
        user_id=r.user_id,
        hashed_token=r.hashed_token,
        kind=r.kind,
        created_at=r.created_at,
        expires_at=r.expires_at,
        name=r.name,
        last_token_part=r.last_token_part,
        bypass_two_factor=bool(r.bypass_two_factor),
    )


def add_token(
    conn: Connection,
    *,
    user_id: str,
    hashed_token: str,
    kind: str,
    now: int,
    expires_at: int | None = None,
    name: str | None = None,
    last_token_part: str | None = None,
    bypass_two_factor: bool = False,
) -> None:
    conn.execute(
        T.insert().values(
            user_id=user_id,
            hashed_token=hashed_token,
            kind=kind,
            created_at=now,
            expires_at=expires_at,
            name=name,
            last_token_part=last_token_part,
            bypass_two_factor=bypass_two_factor,
        )
    )


def find_token(conn: Connection, hashed_token: str) -> TokenRow | None:
    r = conn.execute(select(T).where(T.c.hashed_token == hashed_token)).first()
    return _token(r) if r else None


def delete_token(conn: Connection, token_id: int) -> None:
    conn.execute(delete(T).where(T.c.id == token_id))


def personal_tokens(conn: Connection, user_id: str) -> list[TokenRow]:
    rows = conn.execute(
        select(T)
        .where(T.c.user_id == user_id, T.c.kind == "personalAccessToken")
        .order_by(T.c.created_at, T.c.id)
    )
    return [_token(r) for r in rows]


def delete_personal_token(conn: Connection, user_id: str, name: str) -> bool:
    result = conn.execute(
        delete(T).where(T.c.user_id == user_id, T.c.kind == "personalAccessToken", T.c.name == name)
    )
    return result.rowcount > 0


# --- roles and permissions -----------------------------------------------------------------


def seed_roles(conn: Connection, roles: Iterable[tuple[str, str]]) -> None:
    rows = [{"id": r, "scope": s, "protected": True, "description": ""} for r, s in roles]
    conn.execute(insert(conn, tables.roles).values(rows).on_conflict_do_nothing())


def seed_permissions(
    conn: Connection, permissions: Iterable[tuple[str, Sequence[str]]], now: int
) -> None:
    rows = [{"id": p, "roles": list(r), "updated_at": now} for p, r in permissions]
    conn.execute(insert(conn, tables.permissions).values(rows).on_conflict_do_nothing())


def role_ids(conn: Connection) -> set[str]:
    return {r for (r,) in conn.execute(select(tables.roles.c.id))}


def permission_roles(conn: Connection, permission_ids: Sequence[str]) -> dict[str, list[str]]:
    P = tables.permissions
    rows = conn.execute(select(P.c.id, P.c.roles).where(P.c.id.in_(list(permission_ids))))
    return {pid: list(r) for pid, r in rows}


def all_permissions(conn: Connection) -> list[tuple[str, list[str], int]]:
    P = tables.permissions
    return [(i, list(r), u) for i, r, u in conn.execute(select(P).order_by(P.c.id))]
