"""Builders for workspace rows in tests: users, rooms with members, message documents.

Everything goes through the workspace's own write functions, so tests exercise the same path
the importers use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete

from chatport.accounts import repository as accounts_repo
from chatport.db import tables
from chatport.workspace import rooms, subscriptions
from chatport.workspace.message_upkeep import refresh_last_message, refresh_threads
from chatport.workspace.messages import write_messages
from chatport.workspace.rooms import RoomRow
from chatport.workspace.subscriptions import Member
from tests.support.server import Client, LiveServer

NOW = 1_700_000_000_000  # 2023-11-14T22:13:20.000Z
T0 = 1_600_000_000_000  # 2020-09-13T12:26:40.000Z


def add_user(
    conn: Connection,
    user_id: str,
    username: str,
    name: str | None = None,
    *,
    email: str | None = None,
    now: int = NOW,
) -> Member:
    doc: dict[str, Any] = {"username": username, "type": "user", "status": "offline"}
    if name:
        doc["name"] = name
    if email:
        doc["emails"] = [{"address": email, "verified": True}]
    accounts_repo.insert_user(
        conn,
        user_id=user_id,
        doc=doc,
        roles=["user"],
        active=True,
        password_bcrypt=None,
        now=now,
    )
    return Member(user_id, username, name)


def member(conn: Connection, user_id: str) -> Member:
    user = accounts_repo.get_user(conn, user_id)
    assert user is not None and user.username
    return Member(user.id, user.username, user.doc.get("name"))


def channel(
    conn: Connection,
    room_id: str,
    name: str,
    *,
    t: str = "c",
    members: Sequence[Member] = (),
    owner: Member | None = None,
    ts: int = T0,
    now: int = NOW,
    **extra: Any,
) -> RoomRow:
    doc: dict[str, Any] = {"_id": room_id, "t": t, "name": name, "fname": name, "ts": ts}
    if owner is not None:
        doc["u"] = {"_id": owner.id, "username": owner.username}
    doc.update({"default": False, "ro": False, "sysMes": True})
    doc.update(extra)
    room = rooms.insert_room(conn, doc, now=now)
    everyone = list(members) + ([owner] if owner and owner not in members else [])
    subscriptions.add_members(conn, room, everyone, now=now, owner_id=owner.id if owner else None)
    found = rooms.get_room(conn, room_id)
    assert found is not None
    return found


def direct(
    conn: Connection, room_id: str, members: Sequence[Member], *, ts: int = T0, now: int = NOW
) -> RoomRow:
    doc = {
        "_id": room_id,
        "t": "d",
        "ts": ts,
        "usernames": [m.username for m in members],
        "uids": sorted(m.id for m in members),
    }
    room = rooms.insert_room(conn, doc, now=now)
    subscriptions.add_members(conn, room, members, now=now)
    found = rooms.get_room(conn, room_id)
    assert found is not None
    return found


def message(
    message_id: str, rid: str, author: Member, ts: int, text: str = "", **extra: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": message_id,
        "rid": rid,
        "msg": text or f"message {message_id}",
        "ts": ts,
        "u": {"_id": author.id, "username": author.username},
    }
    doc.update(extra)
    return doc


def set_permission(conn: Connection, permission: str, roles: Sequence[str]) -> None:
    """Give a permission exactly these roles (tests pin permissions the seed may not carry)."""
    conn.execute(delete(tables.permissions).where(tables.permissions.c.id == permission))
    conn.execute(
        tables.permissions.insert().values(id=permission, roles=list(roles), updated_at=NOW)
    )


# --- a small workspace behind a live server, for the read API tests ------------------------

C1_MESSAGES = 8  # five visible, one hidden, two thread replies


@dataclass
class Seeded:
    """The seeded workspace: the server, logged-in clients and their members."""

    server: LiveServer
    admin: Client
    alice: Client
    bob: Client
    carol: Client
    a: Member
    b: Member


def seed_workspace(server: LiveServer) -> Seeded:
    """Users alice, bob, carol; rooms GENERAL, C1 ``announcements`` (alice owns), C2 ``random``
    (bob), P1 ``secret`` (alice owns), P2 ``old-secret`` (archived, alice), D1 (alice-bob).

    ``view-c-room`` is pinned to admins only, so non-members never read public channels unless
    a test grants it (the seed may or may not carry Rocket.Chat's default for users).
    """
    admin = server.admin()
    alice = server.create_user(admin, "alice")
    bob = server.create_user(admin, "bob")
    carol = server.create_user(admin, "carol")
    assert alice.user_id and bob.user_id
    with server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin"])
        rooms.ensure_general(conn, NOW)
        a, b = member(conn, alice.user_id), member(conn, bob.user_id)
        channel(conn, "C1", "announcements", owner=a, members=[a])
        channel(conn, "C2", "random", members=[b])
        channel(conn, "P1", "secret", t="p", owner=a, members=[a])
        channel(conn, "P2", "old-secret", t="p", members=[a], archived=True)
        direct(conn, "D1", [a, b])
        batch = [message(f"c1-{i}", "C1", a, T0 + i * 1000, f"hello {i}") for i in range(5)]
        batch[1]["_importFile"] = {
            "url": "https://files.example/x?token=s3cret",
            "downloaded": True,
        }
        batch[2]["mentions"] = [{"_id": b.id, "username": "bob"}]
        batch[3]["pinned"] = True
        batch += [
            message("c1-hidden", "C1", a, T0 + 5000, "pending file", _hidden=True),
            message("c1-r1", "C1", b, T0 + 6000, "first reply", tmid="c1-0"),
            message("c1-r2", "C1", a, T0 + 7000, "second reply", tmid="c1-0"),
            message("c2-0", "C2", b, T0, "bob alone"),
            message("p1-0", "P1", a, T0, "secret 0"),
            message("p1-1", "P1", a, T0 + 1000, "secret 1"),
            message("p2-0", "P2", a, T0, "old secret"),
            message("d1-0", "D1", a, T0, "hi bob"),
            message("d1-1", "D1", b, T0 + 1000, "hi alice"),
        ]
        write_messages(conn, batch, now=NOW)
        refresh_threads(conn, ["c1-0"], now=NOW)
        for rid in ("C1", "C2", "P1", "P2", "D1"):
            refresh_last_message(conn, rid, now=NOW)
    return Seeded(server, admin, alice, bob, carol, a, b)
