"""Rooms (``rocketchat_room``): create, find, update, counters, and the GENERAL room.

A room row keeps its Rocket.Chat document in ``doc``.  ``_id``, ``ts``, ``msgs``,
``usersCount``, ``lm`` and ``_updatedAt`` live only in columns (counters then change with a
plain ``UPDATE ... SET msgs = msgs + n``, without rewriting JSON, and ``ts`` sorts exactly);
``t``, ``name``, ``fname``, ``default`` and the direct-message member key are indexed copies that
:func:`_columns` derives from the document on every write, so they never drift from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update

from chatport import ids
from chatport.clock import iso_ms
from chatport.db import tables
from chatport.db.dialect import insert
from chatport.workspace.documents import (
    MESSAGE_INSTANTS,
    ROOM_API_EXCLUDED,
    ROOM_INSTANTS,
    compact,
    render_instants,
    render_nested_message,
    store_instants,
    to_ms,
)

R = tables.rooms
RI = tables.room_import_ids

GENERAL_ID: Final = "GENERAL"
GENERAL_NAME: Final = "general"

# Fields kept only in columns (see the module docstring).
_COLUMN_ONLY: Final = ("_id", "ts", "msgs", "usersCount", "lm", "_updatedAt")
# A direct message always carries its member lists, even empty (importers.md §1.13).
_KEEP_EMPTY: Final = ("usernames", "uids")


@dataclass(frozen=True)
class RoomRow:
    """One stored room; ``doc`` is the document without its column-only fields."""

    id: str
    t: str
    name: str | None
    fname: str | None
    ts: int
    msgs: int
    users_count: int
    lm: int | None
    updated_at: int
    doc: dict[str, Any]

    @property
    def archived(self) -> bool:
        return self.doc.get("archived") is True

    def document(self, *, api: bool = False) -> dict[str, Any]:
        """The Rocket.Chat room document; ``api=True`` leaves out what the REST API never sends.

        Rocket.Chat's REST layer projects rooms without ``importIds``, ``joinCode``, ``members``
        and ``e2e`` (``API.v1.defaultFieldsToExclude``), so the read API does the same.
        """
        out: dict[str, Any] = {"_id": self.id}
        for key, value in render_instants(self.doc, ROOM_INSTANTS).items():
            if api and key in ROOM_API_EXCLUDED:
                continue
            out[key] = render_nested_message(value) if key == "lastMessage" else value
        out["ts"] = iso_ms(self.ts)
        out["usersCount"] = self.users_count
        out["msgs"] = self.msgs
        if self.lm is not None:
            out["lm"] = iso_ms(self.lm)
        out["_updatedAt"] = iso_ms(self.updated_at)
        return out


def row(r: Any) -> RoomRow:
    # By mapping: ``Row.t`` is SQLAlchemy's own tuple accessor, not the ``t`` column.
    m = r._mapping
    return RoomRow(
        id=m["id"],
        t=m["t"],
        name=m["name"],
        fname=m["fname"],
        ts=m["ts"],
        msgs=m["msgs"],
        users_count=m["users_count"],
        lm=m["lm"],
        updated_at=m["updated_at"],
        doc=dict(m["doc"]),
    )


def dm_key(uids: Iterable[str]) -> str:
    """The key of "the direct message of exactly these users": order and repeats ignored.

    Hashed so that a many-member DM still fits an ordinary index entry on both backends.
    """
    joined = "\n".join(sorted(set(uids)))
    return hashlib.sha256(joined.encode()).hexdigest()


def _columns(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed copies of document fields, computed in this one place."""
    t = doc["t"]
    name = doc.get("name")
    uids = doc.get("uids")
    return {
        "t": t,
        "name": name,
        "name_lower": name.lower() if isinstance(name, str) else None,
        "fname": doc.get("fname"),
        "is_default": doc.get("default") is True,
        "dm_key": dm_key(uids) if t == "d" and isinstance(uids, list) else None,
    }


def _store_last_message(message: Mapping[str, Any]) -> dict[str, Any]:
    return compact(store_instants(message, MESSAGE_INSTANTS))


def _storage_doc(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document as stored: column-only fields removed, instants in ms, nothing absent."""
    body = {k: v for k, v in doc.items() if k not in _COLUMN_ONLY}
    body = store_instants(body, ROOM_INSTANTS)
    if isinstance(body.get("lastMessage"), Mapping):
        body["lastMessage"] = _store_last_message(body["lastMessage"])
    return compact(body, _KEEP_EMPTY)


def insert_room(conn: Connection, doc: Mapping[str, Any], *, now: int) -> RoomRow:
    """Store a new room from its Rocket.Chat document; ``_id`` defaults to a random id.

    ``ts`` defaults to ``now`` (import time, §1.13); ``msgs``/``usersCount`` to 0.  Members are
    added with :func:`chatport.workspace.subscriptions.add_members`, which keeps ``usersCount``.
    """
    if doc.get("t") not in ("c", "p", "d"):
        raise ValueError(f"unknown room type {doc.get('t')!r}")
    room_id = str(doc.get("_id") or ids.random_id())
    values: dict[str, Any] = {
        "id": room_id,
        "ts": to_ms(doc["ts"]) if doc.get("ts") is not None else now,
        "msgs": int(doc.get("msgs") or 0),
        "users_count": int(doc.get("usersCount") or 0),
        "lm": to_ms(doc["lm"]) if doc.get("lm") is not None else None,
        "updated_at": now,
        "doc": _storage_doc(doc),
    }
    values.update(_columns(doc))
    conn.execute(R.insert().values(**values))
    result = get_room(conn, room_id)
    assert result is not None
    return result


def get_room(conn: Connection, room_id: str) -> RoomRow | None:
    r = conn.execute(select(R).where(R.c.id == room_id)).first()
    return row(r) if r else None


def get_rooms(conn: Connection, room_ids: Iterable[str]) -> dict[str, RoomRow]:
    wanted = list(dict.fromkeys(room_ids))
    found: dict[str, RoomRow] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for r in conn.execute(select(R).where(R.c.id.in_(chunk))):
            found[r.id] = row(r)
    return found


def default_rooms(conn: Connection) -> list[RoomRow]:
    """Rooms every new user joins (``default: true``; Rocket.Chat's ``GENERAL``)."""
    return [row(r) for r in conn.execute(select(R).where(R.c.is_default.is_(True)))]


def find_by_name(conn: Connection, name: str) -> RoomRow | None:
    """The room with exactly this ``name`` (Rocket.Chat's ``Rooms.findOneByName``)."""
    r = conn.execute(select(R).where(R.c.name == name)).first()
    return row(r) if r else None


def find_by_name_or_fname(conn: Connection, value: str, *, t: str) -> RoomRow | None:
    """A room of type ``t`` whose ``name`` or ``fname`` equals ``value`` (importers.md §1.8
    step 3): rooms of another type never match, so a private group never lands in a public
    channel of the same name (nor the reverse)."""
    r = conn.execute(
        select(R)
        .where(or_(R.c.name == value, R.c.fname == value), R.c.t == t)
        .order_by(R.c.ts, R.c.id)
    ).first()
    return row(r) if r else None


def find_direct(conn: Connection, uids: Iterable[str]) -> RoomRow | None:
    """The direct message whose members are exactly ``uids`` (§1.8 step 2)."""
    wanted = set(uids)
    for r in conn.execute(select(R).where(R.c.t == "d", R.c.dm_key == dm_key(wanted))):
        candidate = row(r)
        if set(candidate.doc.get("uids") or ()) == wanted:
            return candidate
    return None


def find_by_import_id(conn: Connection, namespace: str, import_id: str) -> RoomRow | None:
    r = conn.execute(
        select(R)
        .join(RI, RI.c.room_id == R.c.id)
        .where(RI.c.namespace == namespace, RI.c.import_id == import_id)
    ).first()
    return row(r) if r else None


def rebind_import_ids(
    conn: Connection, room_id: str, namespace: str, import_ids: Iterable[str], *, now: int
) -> None:
    """Move import ids to ``room_id`` from whatever room held them: a source room that changed
    type (a Slack channel made private) gets a room of its own, and its later messages follow
    it instead of the room of the old type."""
    wanted = [str(i) for i in dict.fromkeys(import_ids)]
    if wanted:
        conn.execute(delete(RI).where(RI.c.namespace == namespace, RI.c.import_id.in_(wanted)))
    add_import_ids(conn, room_id, namespace, wanted, now=now)


def add_import_ids(
    conn: Connection, room_id: str, namespace: str, import_ids: Iterable[str], *, now: int
) -> None:
    """Bind import ids to a room: the namespaced keys for lookups, the raw values in the doc.

    Documents keep Rocket.Chat's raw ``importIds`` (§1.11); a key already bound to another room
    stays with that room (first binding wins), as a lookup must stay unambiguous.
    """
    wanted = [str(i) for i in dict.fromkeys(import_ids)]
    if not wanted:
        return
    rows = [{"namespace": namespace, "import_id": i, "room_id": room_id} for i in wanted]
    conn.execute(insert(conn, RI).values(rows).on_conflict_do_nothing())
    room = get_room(conn, room_id)
    if room is None:
        raise LookupError(room_id)
    current = list(room.doc.get("importIds") or [])
    merged = current + [i for i in wanted if i not in current]
    if merged != current:
        update_room(conn, room_id, set_fields={"importIds": merged}, now=now)


def update_room(
    conn: Connection,
    room_id: str,
    *,
    set_fields: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    now: int,
) -> RoomRow:
    """Set and unset document fields (Mongo's ``$set``/``$unset``), keeping columns in step.

    ``None`` in ``set_fields`` unsets, like an absent value: nothing is stored as null.
    """
    q = select(R).where(R.c.id == room_id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    r = conn.execute(q).first()
    if r is None:
        raise LookupError(room_id)
    current = row(r)
    doc: dict[str, Any] = {
        **current.doc,
        "ts": current.ts,
        "msgs": current.msgs,
        "usersCount": current.users_count,
    }
    if current.lm is not None:
        doc["lm"] = current.lm
    for key in unset:
        doc.pop(key, None)
    doc.update(set_fields or {})
    doc["t"] = doc.get("t") or current.t
    values: dict[str, Any] = {
        "ts": to_ms(doc["ts"]) if doc.get("ts") is not None else current.ts,
        "msgs": int(doc.get("msgs") or 0),
        "users_count": int(doc.get("usersCount") or 0),
        "lm": to_ms(doc["lm"]) if doc.get("lm") is not None else None,
        "updated_at": now,
        "doc": _storage_doc(doc),
    }
    values.update(_columns(doc))
    conn.execute(update(R).where(R.c.id == room_id).values(**values))
    result = get_room(conn, room_id)
    assert result is not None
    return result


def add_message_counts(conn: Connection, counts: Mapping[str, int], *, now: int) -> None:
    """``msgs += n`` per room, for messages newly inserted (importers.md §1.9 step 7)."""
    params = [{"rid": rid, "n": n, "now": now} for rid, n in counts.items() if n]
    if not params:
        return
    conn.execute(
        update(R)
        .where(R.c.id == bindparam("rid"))
        .values(msgs=R.c.msgs + bindparam("n"), updated_at=bindparam("now")),
        params,
    )


def total_messages(conn: Connection) -> int:
    """``msgs`` summed over every room: how many messages were ever inserted. The messages
    phase compares it before and after its writes to learn that each was a new insert."""
    return int(conn.execute(select(func.coalesce(func.sum(R.c.msgs), 0))).scalar_one())


def add_users_count(conn: Connection, room_id: str, delta: int, *, now: int) -> None:
    if delta:
        conn.execute(
            update(R)
            .where(R.c.id == room_id)
            .values(users_count=R.c.users_count + delta, updated_at=now)
        )


def set_last_message(
    conn: Connection, room_id: str, message: Mapping[str, Any] | None, *, now: int
) -> None:
    """Set ``lastMessage`` (a stored message document, with ``_id``) and ``lm``; None clears."""
    if message is None:
        update_room(conn, room_id, unset=("lastMessage", "lm"), now=now)
        return
    stored = _store_last_message(message)
    update_room(conn, room_id, set_fields={"lastMessage": stored, "lm": stored["ts"]}, now=now)


def ensure_general(conn: Connection, now: int) -> RoomRow:
    """Create Rocket.Chat's default room ``GENERAL`` (``#general``) unless it exists.

    Rocket.Chat creates it at first start; importers match Slack's general channel to it
    (importers.md §1.8 step 1) and new users join it as a ``default`` room.  Safe to call from
    several processes at once: the insert yields to a concurrent one.
    """
    existing = get_room(conn, GENERAL_ID)
    if existing is not None:
        return existing
    doc: dict[str, Any] = {"t": "c", "name": GENERAL_NAME, "default": True}
    values: dict[str, Any] = {
        "id": GENERAL_ID,
        "ts": now,
        "msgs": 0,
        "users_count": 0,
        "lm": None,
        "updated_at": now,
        "doc": doc,
    }
    values.update(_columns(doc))
    conn.execute(insert(conn, R).values(**values).on_conflict_do_nothing())
    general = get_room(conn, GENERAL_ID)
    if general is None:
        raise RuntimeError("cannot create GENERAL: another room is already named 'general'")
    return general
