"""Message upkeep after writes: ``$set``/``$unset`` on stored messages, thread counts and a
room's last message (importers §1.10), used by finishing, pins and downloaded files.

Kept apart from :mod:`chatport.workspace.messages`, the bulk writer, because these change
messages already stored, one room or one chunk of parents at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

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


class KnownThreads(Protocol):
    """What an import wrote about its threads (see ``imports.phases.run.ThreadTally``)."""

    @property
    def clean(self) -> bool: ...

    def replies(self, parent_id: str) -> tuple[int, Any, list[str]] | None: ...

    def settled(self, message_id: str, count: int, newest: Any, authors: list[str]) -> bool: ...


def refresh_threads(
    conn: Connection,
    parent_ids: Iterable[str],
    *,
    now: int,
    known: KnownThreads | None = None,
) -> list[str]:
    """Recount threads (§1.10): ``tcount``, ``tlm`` (newest reply) and ``replies`` (stored ∪
    reply authors).  Returns the parent ids that do not exist, for the caller to report.

    Works in chunks with grouped queries (three per chunk, not three per parent) and rewrites
    only parents whose thread fields change, so a re-import touches nothing.

    With ``known`` (a fresh import that wrote every row as a new insert), a parent whose
    reply count and newest reply in the database are what the import counted takes its
    authors from ``known`` instead of the biggest query, and is not even read when its fields
    as written are already right (most Slack parents: the export carries them). Any other
    parent takes the database path, so the outcome is the same.
    """
    missing: list[str] = []
    wanted = list(dict.fromkeys(parent_ids))
    absent: set[str] = set()
    for start in range(0, len(wanted), _READ_CHUNK):
        chunk = wanted[start : start + _READ_CHUNK]
        stats = _reply_stats(conn, chunk)
        changes: list[tuple[MessageRow, dict[str, Any]]] = []
        unsure = chunk
        if known is not None and known.clean:
            unsure, to_read = [], []
            for parent_id in chunk:
                mine = known.replies(parent_id)
                if mine is None or stats.get(parent_id) != (mine[0], mine[1]):
                    unsure.append(parent_id)
                    continue
                if not known.settled(parent_id, mine[0], mine[1], mine[2]):
                    to_read.append(parent_id)
            found = get_messages(conn, to_read)
            absent.update(p for p in to_read if p not in found)
            for parent_id, current in found.items():
                count, newest, writers = known.replies(parent_id) or (0, None, [])
                update = _thread_fields(current.doc, count, newest, writers)
                if update:
                    changes.append((current, apply_fields(current.doc, update)))
        if unsure:
            parents = get_messages(conn, unsure)
            absent.update(p for p in unsure if p not in parents)
            authors = _reply_authors(conn, unsure)
            for parent_id in unsure:
                parent = parents.get(parent_id)
                if parent is None or parent_id not in stats:
                    continue
                count, newest = stats[parent_id]
                update = _thread_fields(parent.doc, count, newest, authors.get(parent_id, ()))
                if update:
                    changes.append((parent, apply_fields(parent.doc, update)))
        replace_documents(conn, changes, now=now)
        missing.extend(p for p in chunk if p in absent)
    return missing


def _reply_stats(conn: Connection, parent_ids: list[str]) -> dict[str, tuple[int, Any]]:
    """Reply count and newest reply ``ts`` per parent that has replies (one grouped query)."""
    return {
        tmid: (int(count), newest)
        for tmid, count, newest in conn.execute(
            select(M.c.tmid, func.count(), func.max(M.c.ts))
            .where(M.c.tmid.in_(parent_ids))
            .group_by(M.c.tmid)
        )
        if count
    }


def _reply_authors(conn: Connection, parent_ids: list[str]) -> dict[str, set[str]]:
    authors: dict[str, set[str]] = {}
    for tmid, u_id in conn.execute(
        select(M.c.tmid, M.c.u_id).where(M.c.tmid.in_(parent_ids)).distinct()
    ):
        authors.setdefault(tmid, set()).add(u_id)
    return authors


def _thread_fields(
    doc: Mapping[str, Any], count: int, newest: Any, authors: Iterable[str]
) -> dict[str, Any] | None:
    """The thread fields a parent should have, or None when its document has them already."""
    replies = list(doc.get("replies") or [])
    replies += [a for a in sorted(set(authors)) if a not in replies]
    wanted_fields = {"tcount": count, "tlm": newest, "replies": replies}
    stored = store_instants(wanted_fields, MESSAGE_INSTANTS)
    if all(doc.get(k) == v for k, v in stored.items()):
        return None
    return wanted_fields


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
