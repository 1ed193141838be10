"""User avatars: which stored blob is a user's avatar, and the user fields that say so.

The bytes live in the upload store; this table maps a user to them. The user document keeps
Rocket.Chat's ``avatarOrigin`` and ``avatarETag``, and loses ``_pendingAvatarUrl`` on success
(importers.md §6.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from chatport.accounts import repository as accounts_repo
from chatport.db import tables
from chatport.db.dialect import insert

A = tables.avatars
U = tables.users


@dataclass(frozen=True)
class AvatarRow:
    user_id: str
    blob_sha256: str
    content_type: str
    size: int
    etag: str


def set_avatar(
    conn: Connection,
    user_id: str,
    *,
    sha256: str,
    content_type: str,
    size: int,
    origin: str,
    now: int,
) -> bool:
    """Store the avatar and update the user; False when the user is gone."""
    user = accounts_repo.get_user(conn, user_id)
    if user is None:
        return False
    etag = sha256[:24]
    values = {
        "user_id": user_id,
        "blob_sha256": sha256,
        "content_type": content_type,
        "size": size,
        "etag": etag,
        "updated_at": now,
    }
    stmt = insert(conn, A).values(**values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id"], set_={k: v for k, v in values.items() if k != "user_id"}
        )
    )
    doc = dict(user.doc)
    doc.pop("_pendingAvatarUrl", None)
    doc.pop("_pendingAvatarError", None)
    doc["avatarOrigin"] = origin
    doc["avatarETag"] = etag
    accounts_repo.update_user_doc(conn, user_id, doc, now)
    return True


def set_avatar_error(conn: Connection, user_id: str, error: dict[str, Any], now: int) -> None:
    """Keep ``_pendingAvatarUrl`` (a later run retries) and record why it failed."""
    user = accounts_repo.get_user(conn, user_id)
    if user is None:
        return
    doc = dict(user.doc)
    doc["_pendingAvatarError"] = error
    accounts_repo.update_user_doc(conn, user_id, doc, now)


def pending_avatar_users(conn: Connection) -> list[tuple[str, str]]:
    """``(user id, URL)`` of users with a ``_pendingAvatarUrl``, in creation order.

    Users are few next to messages; one streamed pass at the start of a run is the count.
    """
    found: list[tuple[str, str]] = []
    rows = conn.execute(
        select(U.c.id, U.c.doc).order_by(U.c.created_at, U.c.id).execution_options(yield_per=1000)
    )
    for user_id, doc in rows:
        url = (doc or {}).get("_pendingAvatarUrl")
        if isinstance(url, str) and url:
            found.append((user_id, url))
    return found


def avatar_by_username(conn: Connection, username: str) -> AvatarRow | None:
    user = accounts_repo.find_by_username(conn, username)
    if user is None:
        return None
    r = conn.execute(select(A).where(A.c.user_id == user.id)).first()
    if r is None:
        return None
    return AvatarRow(r.user_id, r.blob_sha256, r.content_type, int(r.size), r.etag)
