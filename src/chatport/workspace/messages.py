"""Messages (``rocketchat_message``): the bulk writer, single reads, and room/thread upkeep.

Imports write messages in batches, each batch in the same transaction as its checkpoint
(DESIGN.md, step 3), so a batch must be cheap and idempotent:

* a batch of new, distinct ``_id`` (a first import) goes straight in: on SQLite the insert
  itself tells whether every id was new (else it is rolled back to a savepoint), on PostgreSQL
  one primary-key read asks first; any other batch reads which ``_id`` already exist and:
* the merge rule of importers.md §1.9 step 7 runs once, in Python, for both backends
  (:func:`plan_batch`): a new ``_id`` is inserted; the same ``_id`` in the same room by the same
  author is updated with the fields present (nothing removed, a downloaded file never re-hidden);
  anything else is a conflict, left untouched and reported;
* new rows go in with ``executemany`` on SQLite and ``COPY`` into a temporary table then
  ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on PostgreSQL; changed rows are updated,
  unchanged ones are not touched, so importing the same batch twice writes nothing;
* each room's ``msgs`` grows by its new messages, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy import Connection, select

from chatport.clock import SystemClock
from chatport.db import tables
from chatport.workspace import rooms
from chatport.workspace.documents import (
    MESSAGE_INSTANTS,
    render_message,
    to_ms,
)
from chatport.workspace.message_insert import (
    COLUMNS,
    any_existing,
    insert_all_new_sqlite,
    insert_rows,
    table_rows,
    update_rows,
)

M = tables.messages

# Fields a later import must not overwrite once the message's file has been downloaded:
# re-hiding it, or resetting its file and attachments, would undo pending-files' work (§1.9).
PROTECTED_AFTER_DOWNLOAD: Final = ("_hidden", "_importFile", "attachments", "file", "files")

_READ_CHUNK: Final = 500
_NOT_STORED: Final = frozenset({"_id", "_updatedAt"})  # kept in columns
_INSTANTS: Final = frozenset(MESSAGE_INSTANTS)
_CONTAINERS: Final = (list, dict)


@dataclass(frozen=True)
class MessageRow:
    id: str
    rid: str
    ts: int
    tmid: str | None
    u_id: str
    hidden: bool
    updated_at: int
    doc: dict[str, Any]

    def document(self) -> dict[str, Any]:
        """The message as the read API sends it (dates rendered, no ``_importFile``)."""
        return render_message(self.id, self.doc, self.updated_at)

    def stored(self) -> dict[str, Any]:
        """The stored form with ``_id`` and ``_updatedAt`` (for a room's ``lastMessage``)."""
        return {"_id": self.id, **self.doc, "_updatedAt": self.updated_at}


def row(r: Any) -> MessageRow:
    return MessageRow(
        id=r.id,
        rid=r.rid,
        ts=r.ts,
        tmid=r.tmid,
        u_id=r.u_id,
        hidden=bool(r.hidden),
        updated_at=r.updated_at,
        doc=dict(r.doc),
    )


@dataclass(frozen=True)
class Prepared:
    """An incoming message, validated, with its indexed columns and its storage document."""

    id: str
    rid: str
    u_id: str
    doc: dict[str, Any]


def prepare(message: Mapping[str, Any]) -> Prepared:
    """Validate a Rocket.Chat message document and turn it into its storage form.

    Required: ``_id``, ``rid``, ``ts`` and ``u._id``; ``msg`` is always a string (§1.13).
    Instants become milliseconds; ``None`` and empty lists are dropped; ``_id`` and
    ``_updatedAt`` are kept in columns, not in the document.
    """
    message_id = message.get("_id")
    rid = message.get("rid")
    author = message.get("u")
    if not isinstance(message_id, str) or not message_id:
        raise ValueError("a message needs a string _id")
    if not isinstance(rid, str) or not rid:
        raise ValueError(f"message {message_id}: rid must be a string")
    if not isinstance(author, Mapping) or not isinstance(author.get("_id"), str):
        raise ValueError(f"message {message_id}: u._id must be a string")
    if message.get("ts") is None:
        raise ValueError(f"message {message_id}: ts is required")
    if "msg" in message and not isinstance(message["msg"], str):
        raise ValueError(f"message {message_id}: msg must be a string")
    tmid = message.get("tmid")
    if tmid is not None and not isinstance(tmid, str):
        raise ValueError(f"message {message_id}: tmid must be a string")
    # One pass: what compact(store_instants(...)) gives, without two intermediate copies
    # (this runs once per imported message).
    doc: dict[str, Any] = {}
    for key, value in message.items():
        if key in _NOT_STORED:
            continue
        if key in _INSTANTS:
            value = to_ms(value)
        elif value is None or (not value and isinstance(value, _CONTAINERS)):
            continue
        doc[key] = value
    if "msg" not in doc:
        doc["msg"] = ""
    return Prepared(id=message_id, rid=rid, u_id=author["_id"], doc=doc)


def merge_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The fields present in ``new`` over ``old``; none removed (importers.md §1.9 step 7)."""
    merged = dict(old)
    imported_file = old.get("_importFile")
    downloaded = isinstance(imported_file, Mapping) and imported_file.get("downloaded") is True
    for key, value in new.items():
        if downloaded and key in PROTECTED_AFTER_DOWNLOAD:
            continue
        merged[key] = value
    return merged


@dataclass
class _Pending:
    rid: str
    u_id: str
    doc: dict[str, Any]
    new: bool
    original: dict[str, Any] | None = None


@dataclass(frozen=True)
class Existing:
    rid: str
    u_id: str
    doc: dict[str, Any]


@dataclass
class Plan:
    """What a batch does: rows to insert, rows to update, ``_id`` that conflict."""

    inserts: dict[str, _Pending] = field(default_factory=dict)
    updates: dict[str, _Pending] = field(default_factory=dict)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def plan_batch(existing: Mapping[str, Existing], incoming: Sequence[Prepared]) -> Plan:
    """Decide, in input order, what each incoming message does (§1.9 step 7).

    The same ``_id`` twice in one batch behaves as two successive writes: the second merges
    into the first.  A conflict is a different room or a different author for a known ``_id``.
    """
    pending: dict[str, _Pending] = {}
    conflicts: list[str] = []
    for message in incoming:
        current = pending.get(message.id)
        if current is None and message.id in existing:
            known = existing[message.id]
            current = _Pending(known.rid, known.u_id, known.doc, new=False, original=known.doc)
        if current is None:
            pending[message.id] = _Pending(message.rid, message.u_id, dict(message.doc), new=True)
            continue
        if current.rid != message.rid or current.u_id != message.u_id:
            conflicts.append(message.id)
            continue
        current.doc = merge_documents(current.doc, message.doc)
        pending[message.id] = current
    plan = Plan(conflicts=conflicts)
    for message_id, item in pending.items():
        if item.new:
            plan.inserts[message_id] = item
        elif item.doc != item.original:
            plan.updates[message_id] = item
        else:
            plan.unchanged += 1
    return plan


@dataclass(frozen=True)
class WriteResult:
    """The outcome of one batch: ``inserted`` is how many messages were new."""

    inserted: int
    updated: int
    unchanged: int
    conflicts: tuple[str, ...]
    inserted_per_room: Mapping[str, int]


def _load_existing(conn: Connection, message_ids: Sequence[str]) -> dict[str, Existing]:
    found: dict[str, Existing] = {}
    unique = list(dict.fromkeys(message_ids))
    for start in range(0, len(unique), _READ_CHUNK):
        chunk = unique[start : start + _READ_CHUNK]
        query = select(M.c.id, M.c.rid, M.c.u_id, M.c.doc).where(M.c.id.in_(chunk))
        for r in conn.execute(query):
            found[r.id] = Existing(r.rid, r.u_id, dict(r.doc))
    return found


def _values(message_id: str, item: _Pending, now: int) -> dict[str, Any]:
    tmid = item.doc.get("tmid")
    return {
        "id": message_id,
        "rid": item.rid,
        "ts": item.doc["ts"],
        "tmid": tmid if isinstance(tmid, str) else None,
        "u_id": item.u_id,
        "hidden": item.doc.get("_hidden") is True,
        "updated_at": now,
        "doc": item.doc,
    }


#: A message ready for the table: ``(id, rid, ts, tmid, u_id, hidden, doc as JSON)``. Built
#: by :func:`encode` wherever the documents are made (possibly another process: it pickles
#: cheaply and the JSON needs no second serialisation).
EncodedRow = tuple[str, str, int, "str | None", str, bool, str]


def encode(message: Prepared) -> EncodedRow:
    return encode_parts(message.id, message.rid, message.u_id, message.doc)


def encode_parts(message_id: str, rid: str, u_id: str, doc: dict[str, Any]) -> EncodedRow:
    """:func:`encode` of a document already in its storage form (what :func:`prepare` gives).

    For converters that build that form themselves: one message, one document, no
    :class:`Prepared` in between.
    """
    tmid = doc.get("tmid")
    return (
        message_id,
        rid,
        doc["ts"],
        tmid if isinstance(tmid, str) else None,
        u_id,
        doc.get("_hidden") is True,
        orjson.dumps(doc).decode(),
    )


def _decode(row: EncodedRow) -> Prepared:
    return Prepared(id=row[0], rid=row[1], u_id=row[4], doc=orjson.loads(row[6]))


def upsert_messages(
    conn: Connection, messages: Iterable[Mapping[str, Any]], *, now: int
) -> WriteResult:
    """Write one batch of Rocket.Chat message documents by ``_id`` (see the module docstring).

    Runs in the caller's transaction: commit it together with the batch's checkpoint.
    """
    return _upsert_prepared(conn, [prepare(m) for m in messages], now)


def upsert_encoded(conn: Connection, rows: Sequence[EncodedRow], *, now: int) -> WriteResult:
    """:func:`upsert_messages` for rows already :func:`encode`-d.

    A batch of new, distinct ``_id`` (a first import, nearly always) goes straight in without
    decoding a document (on SQLite without even asking first: see
    :func:`~chatport.workspace.message_insert.insert_all_new_sqlite`); anything else takes the
    full merge path.
    """
    if not rows:
        return WriteResult(0, 0, 0, (), {})
    ids = [r[0] for r in rows]
    if len(set(ids)) != len(ids):
        return _upsert_prepared(conn, [_decode(r) for r in rows], now)
    if conn.dialect.name != "postgresql":
        if not insert_all_new_sqlite(conn, rows, now):
            return _upsert_prepared(conn, [_decode(r) for r in rows], now)
        per_room_new: dict[str, int] = {}
        for r in rows:
            per_room_new[r[1]] = per_room_new.get(r[1], 0) + 1
        rooms.add_message_counts(conn, per_room_new, now=now)
        return WriteResult(len(rows), 0, 0, (), per_room_new)
    if any_existing(conn, ids):
        return _upsert_prepared(conn, [_decode(r) for r in rows], now)
    inserted = insert_rows(conn, table_rows(rows, now))
    per_room: dict[str, int] = {}
    for r in rows:
        if r[0] in inserted:
            per_room[r[1]] = per_room.get(r[1], 0) + 1
    rooms.add_message_counts(conn, per_room, now=now)
    result = WriteResult(len(inserted), 0, 0, (), per_room)
    lost = [r for r in rows if r[0] not in inserted]
    if not lost:
        return result
    # Inserted by a concurrent writer since the check (PostgreSQL): merge into those rows.
    again = _upsert_prepared(conn, [_decode(r) for r in lost], now)
    merged_rooms = dict(per_room)
    for rid, count in again.inserted_per_room.items():
        merged_rooms[rid] = merged_rooms.get(rid, 0) + count
    return WriteResult(
        inserted=result.inserted + again.inserted,
        updated=again.updated,
        unchanged=again.unchanged,
        conflicts=again.conflicts,
        inserted_per_room=merged_rooms,
    )


def _upsert_prepared(conn: Connection, prepared: list[Prepared], now: int) -> WriteResult:
    if not prepared:
        return WriteResult(0, 0, 0, (), {})
    plan = plan_batch(_load_existing(conn, [p.id for p in prepared]), prepared)
    new_rows = [
        tuple(_values(i, item, now)[c] for c in COLUMNS) for i, item in plan.inserts.items()
    ]
    inserted: set[str] = set()
    if new_rows:
        inserted = insert_rows(
            conn,
            [(*r[:7], orjson.dumps(r[7]).decode()) for r in new_rows],
        )
    lost = [i for i in plan.inserts if i not in inserted]
    updates = dict(plan.updates)
    unchanged = plan.unchanged
    conflicts = list(plan.conflicts)
    if lost:
        # Inserted by someone else since our read: they are existing rows now.
        again = plan_batch(_load_existing(conn, lost), [p for p in prepared if p.id in set(lost)])
        updates.update(again.updates)
        unchanged += again.unchanged
        conflicts.extend(again.conflicts)
    update_rows(conn, [_values(i, item, now) for i, item in updates.items()])
    per_room: dict[str, int] = {}
    for message_id in inserted:
        rid = plan.inserts[message_id].rid
        per_room[rid] = per_room.get(rid, 0) + 1
    rooms.add_message_counts(conn, per_room, now=now)
    return WriteResult(
        inserted=len(inserted),
        updated=len(updates),
        unchanged=unchanged,
        conflicts=tuple(conflicts),
        inserted_per_room=per_room,
    )


def write_messages(
    conn: Connection, messages: Iterable[Mapping[str, Any]], *, now: int | None = None
) -> int:
    """Write a batch of message documents; returns how many were new.

    The short form of :func:`upsert_messages` for callers that only count; conflicts and
    updates are in :class:`WriteResult` when needed.
    """
    when = now if now is not None else SystemClock().now_ms()
    return upsert_messages(conn, messages, now=when).inserted


# --- reads and upkeep ---------------------------------------------------------------------


def get_message(conn: Connection, message_id: str) -> MessageRow | None:
    r = conn.execute(select(M).where(M.c.id == message_id)).first()
    return row(r) if r else None


def get_messages(conn: Connection, message_ids: Iterable[str]) -> dict[str, MessageRow]:
    found: dict[str, MessageRow] = {}
    unique = list(dict.fromkeys(message_ids))
    for start in range(0, len(unique), _READ_CHUNK):
        for r in conn.execute(select(M).where(M.c.id.in_(unique[start : start + _READ_CHUNK]))):
            found[r.id] = row(r)
    return found
