"""Message upkeep after writes: ``$set``/``$unset`` on stored messages, thread counts and a
room's last message (importers §1.10), used by finishing, pins and downloaded files.

Kept apart from :mod:`chatport.workspace.messages`, the bulk writer, because these change
messages already stored, one room or one chunk of parents at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, func, select, update

from chatport.workspace import rooms
from chatport.workspace.documents import MESSAGE_INSTANTS, compact, store_instants
from chatport.workspace.message_insert import update_rows
from chatport.workspace.messages import (
    _READ_CHUNK,
    M,
    MessageRow,
    _Pending,
    _values,
    get_message,
    get_messages,
    row,
)


def update_message(
    conn: Connection,
    message_id: str,
    *,
    set_fields: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    now: int,
) -> MessageRow | None:
    """``$set``/``$unset`` on one message (pins, threads, downloaded files), columns in step."""
    current = get_message(conn, message_id)
    if current is None:
        return None
    doc = apply_fields(current.doc, set_fields, unset)
    values = _values(message_id, _Pending(current.rid, current.u_id, doc, new=False), now)
    conn.execute(
        update(M)
        .where(M.c.id == message_id)
        .values(
            ts=values["ts"],
            tmid=values["tmid"],
            hidden=values["hidden"],
            updated_at=now,
            doc=doc,
        )
    )
    return get_message(conn, message_id)


def apply_fields(
    doc: Mapping[str, Any], set_fields: Mapping[str, Any] | None = None, unset: Iterable[str] = ()
) -> dict[str, Any]:
    """``$set``/``$unset`` on a stored document, in memory, as :func:`update_message` does."""
    dropped = set(unset)
    body = {k: v for k, v in doc.items() if k not in dropped}
    body.update(store_instants(set_fields or {}, MESSAGE_INSTANTS))
    return compact(body)


def replace_documents(
    conn: Connection, changes: Iterable[tuple[MessageRow, dict[str, Any]]], *, now: int
) -> int:
    """Write new documents for known messages in one ``executemany`` (finishing's pins and
    threads touch thousands of messages; one round trip each was most of finishing's time).
    Documents equal to the stored ones are skipped. Returns how many rows were written."""
    rows = [
        _values(current.id, _Pending(current.rid, current.u_id, doc, new=False), now)
        for current, doc in changes
        if doc != current.doc
    ]
    update_rows(conn, rows)
    return len(rows)


def refresh_threads(conn: Connection, parent_ids: Iterable[str], *, now: int) -> list[str]:
    """Recount threads (§1.10): ``tcount``, ``tlm`` (newest reply) and ``replies`` (stored ∪
    reply authors).  Returns the parent ids that do not exist, for the caller to report.

    Works in chunks with grouped queries (three per chunk, not three per parent) and rewrites
    only parents whose thread fields change, so a re-import touches nothing.
    """
    missing: list[str] = []
    wanted = list(dict.fromkeys(parent_ids))
    for start in range(0, len(wanted), _READ_CHUNK):
        chunk = wanted[start : start + _READ_CHUNK]
        parents = get_messages(conn, chunk)
        missing.extend(p for p in chunk if p not in parents)
        stats = {
            tmid: (int(count), newest)
            for tmid, count, newest in conn.execute(
                select(M.c.tmid, func.count(), func.max(M.c.ts))
                .where(M.c.tmid.in_(chunk))
                .group_by(M.c.tmid)
            )
        }
        authors: dict[str, set[str]] = {}
        for tmid, u_id in conn.execute(
            select(M.c.tmid, M.c.u_id).where(M.c.tmid.in_(chunk)).distinct()
        ):
            authors.setdefault(tmid, set()).add(u_id)
        changes: list[tuple[MessageRow, dict[str, Any]]] = []
        for parent_id, (count, newest) in stats.items():
            parent = parents.get(parent_id)
            if parent is None or not count:
                continue
            replies = list(parent.doc.get("replies") or [])
            replies += [a for a in sorted(authors.get(parent_id, ())) if a not in replies]
            wanted_fields = {"tcount": count, "tlm": newest, "replies": replies}
            stored = store_instants(wanted_fields, MESSAGE_INSTANTS)
            if all(parent.doc.get(k) == v for k, v in stored.items()):
                continue
            changes.append((parent, apply_fields(parent.doc, wanted_fields)))
        replace_documents(conn, changes, now=now)
    return missing


def refresh_last_message(conn: Connection, room_id: str, *, now: int) -> MessageRow | None:
    """Set a room's ``lastMessage``/``lm`` (§1.10): the newest message that is neither hidden
    nor a thread reply kept out of the room (``tmid`` without ``tshow``)."""
    query = (
        select(M)
        .where(M.c.rid == room_id, M.c.hidden.is_(False))
        .order_by(M.c.ts.desc(), M.c.id.desc())
    )
    chosen: MessageRow | None = None
    offset = 0
    size = 16  # the newest rows nearly always hold it: small pages first, then bigger ones
    while chosen is None:
        page = [row(r) for r in conn.execute(query.limit(size).offset(offset))]
        chosen = next((m for m in page if m.tmid is None or m.doc.get("tshow") is True), None)
        if len(page) < size:
            break
        offset += size
        size = min(size * 4, _READ_CHUNK)
    rooms.set_last_message(conn, room_id, chosen.stored() if chosen else None, now=now)
    return chosen
