"""Subscriptions (``rocketchat_subscription``): who belongs to which room, with which roles.

Membership is what the read API's access rule rests on (a user reads the rooms they belong
to), so it is stored as its own row per (room, user), unique, with the Rocket.Chat subscription
document beside it (importers.md §1.13).  Imported history is not unread: ``ls`` is the import
time and every unread counter is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from chatport import ids
from chatport.clock import iso_ms
from chatport.db import tables
from chatport.db.dialect import insert
from chatport.workspace import rooms
from chatport.workspace.documents import SUBSCRIPTION_INSTANTS, compact, render_instants
from chatport.workspace.rooms import RoomRow

S = tables.subscriptions

OWNER_ROLES: tuple[str, ...] = ("owner",)


@dataclass(frozen=True)
class Member:
    """The part of a user a subscription copies: ``u: {_id, username, name?}``."""

    id: str
    username: str
    name: str | None = None

    def u(self) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": self.id, "username": self.username}
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class SubscriptionRow:
    id: str
    rid: str
    user_id: str
    updated_at: int
    doc: dict[str, Any]

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": self.id}
        out.update(render_instants(self.doc, SUBSCRIPTION_INSTANTS))
        out["_updatedAt"] = iso_ms(self.updated_at)
        return out


def row(r: Any) -> SubscriptionRow:
    return SubscriptionRow(
        id=r.id, rid=r.rid, user_id=r.user_id, updated_at=r.updated_at, doc=dict(r.doc)
    )


def _names(
    room: RoomRow, member: Member, members: Sequence[Member]
) -> tuple[str | None, str | None]:
    """``name``/``fname`` of a subscription: the room's, or in a DM the other members'.

    In a direct message each member sees the others' usernames (``name``) and display names
    (``fname``) joined with ``", "``; in a DM with oneself, one's own (§1.13).
    """
    if room.t != "d":
        return room.name, room.fname
    others = [m for m in members if m.id != member.id] or [member]
    return (
        ", ".join(m.username for m in others),
        ", ".join(m.name or m.username for m in others),
    )


def subscription_document(
    room: RoomRow, member: Member, members: Sequence[Member], *, owner: bool, now: int
) -> dict[str, Any]:
    """The stored subscription document (without ``_id``/``_updatedAt``), per §1.13."""
    name, fname = _names(room, member, members)
    archived = room.archived
    doc: dict[str, Any] = {
        "rid": room.id,
        "t": room.t,
        "u": member.u(),
        "name": name,
        "fname": fname,
        "ts": room.ts,
        "ls": now,
        "open": not archived,
        "alert": False,
        "unread": 0,
        "userMentions": 0,
        "groupMentions": 0,
        "roles": list(OWNER_ROLES) if owner else None,
        "archived": True if archived else None,
    }
    return compact(doc)


def add_members(
    conn: Connection,
    room: RoomRow,
    members: Sequence[Member],
    *,
    now: int,
    owner_id: str | None = None,
) -> int:
    """Subscribe the members not yet subscribed; returns how many were added.

    The room's ``usersCount`` grows by the same number, in the same transaction.  ``owner_id``
    gets ``roles: ['owner']``, as Rocket.Chat gives a room's creator.  Existing subscriptions
    are left as they are.
    """
    unique = list({m.id: m for m in members}.values())
    if not unique:
        return 0
    rows = [
        {
            "id": ids.random_id(),
            "rid": room.id,
            "user_id": m.id,
            "updated_at": now,
            "doc": subscription_document(room, m, unique, owner=m.id == owner_id, now=now),
        }
        for m in unique
    ]
    # One statement executed with many parameter sets: compiled once (and cached), where a
    # multi-row ``VALUES`` of a big channel's members was compiled afresh for every room and
    # cost more than the insert itself. SQLAlchemy still sends it as multi-row batches.
    stmt = (
        insert(conn, S).on_conflict_do_nothing(index_elements=["rid", "user_id"]).returning(S.c.id)
    )
    added = len(conn.execute(stmt, rows).fetchall())
    rooms.add_users_count(conn, room.id, added, now=now)
    return added


def is_member(conn: Connection, rid: str, user_id: str) -> bool:
    found = conn.execute(select(S.c.id).where(S.c.rid == rid, S.c.user_id == user_id)).first()
    return found is not None


def get_subscription(conn: Connection, rid: str, user_id: str) -> SubscriptionRow | None:
    r = conn.execute(select(S).where(S.c.rid == rid, S.c.user_id == user_id)).first()
    return row(r) if r else None


def room_member_ids(conn: Connection, rid: str) -> list[str]:
    return [u for (u,) in conn.execute(select(S.c.user_id).where(S.c.rid == rid))]


def update_room_subscriptions(
    conn: Connection,
    rid: str,
    set_fields: Mapping[str, Any],
    *,
    now: int,
    unset: Iterable[str] = (),
) -> int:
    """Apply the same ``$set``/``$unset`` to every subscription of a room (rename, archive)."""
    removed = set(unset)
    changed = 0
    for r in conn.execute(select(S.c.id, S.c.doc).where(S.c.rid == rid)).all():
        doc = {k: v for k, v in dict(r.doc).items() if k not in removed}
        doc.update(set_fields)
        doc = compact(doc)
        if doc != r.doc:
            conn.execute(update(S).where(S.c.id == r.id).values(doc=doc, updated_at=now))
            changed += 1
    return changed


def set_archived(conn: Connection, rid: str, archived: bool, *, now: int) -> int:
    """Archived rooms: the room and every subscription get ``archived: true``, ``open: false``."""
    if archived:
        return update_room_subscriptions(conn, rid, {"archived": True, "open": False}, now=now)
    return update_room_subscriptions(conn, rid, {"open": True}, now=now, unset=("archived",))
