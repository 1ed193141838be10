"""Room history and the sync routes: ``channels/groups/im.history``, ``chat.syncMessages``,
``chat.getDeletedMessages``, ``chat.syncThreadMessages``, ``chat.syncThreadsList``.

History is upstream's ``getChannelHistory``: visible messages (not ``_hidden``) older than
``latest`` (now by default; ``inclusive`` makes both ends inclusive), newer than ``oldest``,
newest first, thread replies only with ``showThreadMessages`` (or ``tshow``). Each page is one
range scan of the ``(rid, ts)`` index, however deep ``latest`` points, and no count: upstream
sends none.

chatport deletes no message, so every "deleted" list is empty; the routes answer it in
Rocket.Chat's shape so clients' sync loops run unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from chatport.db import tables
from chatport.errors import CodedError
from chatport.workspace import finders, messages, rooms
from chatport.workspace.errors import NotAllowed
from chatport.workspace.messages import MessageRow
from chatport.workspace.rooms import RoomRow
from chatport.workspace.service import WorkspaceReader

M = tables.messages


@dataclass(frozen=True)
class HistoryRequest:
    latest: int
    oldest: int | None = None
    inclusive: bool = False
    offset: int = 0
    count: int = 50
    unreads: bool = False
    show_thread_messages: bool = False


def _visible(conn: Connection, rid: str, show_thread_messages: bool) -> list[Any]:
    conditions: list[Any] = [M.c.rid == rid, M.c.hidden.is_(False)]
    if not show_thread_messages:
        conditions.append(or_(M.c.tmid.is_(None), M.c.doc["tshow"].as_boolean().is_(True)))
    return conditions


def room_history(conn: Connection, rid: str, request: HistoryRequest) -> list[MessageRow]:
    conditions = _visible(conn, rid, request.show_thread_messages)
    conditions.append(M.c.ts <= request.latest if request.inclusive else M.c.ts < request.latest)
    if request.oldest is not None:
        conditions.append(
            M.c.ts >= request.oldest if request.inclusive else M.c.ts > request.oldest
        )
    query = (
        select(M)
        .where(*conditions)
        .order_by(M.c.ts.desc())
        .offset(request.offset)
        .limit(request.count)
    )
    return [messages.row(r) for r in conn.execute(query)]


def _unreads(
    conn: Connection, rid: str, request: HistoryRequest, page: list[MessageRow]
) -> dict[str, Any]:
    """Upstream's ``firstUnread``/``unreadNotLoaded``: messages between ``oldest`` and the
    page's oldest message, when ``oldest`` was given."""
    out: dict[str, Any] = {"unreadNotLoaded": 0}
    if request.oldest is None or not page or page[-1].ts <= request.oldest:
        return out
    between = and_(
        *_visible(conn, rid, request.show_thread_messages),
        M.c.ts > request.oldest,
        M.c.ts < page[-1].ts,
    )
    first = conn.execute(select(M).where(between).order_by(M.c.ts.asc()).limit(1)).first()
    total = conn.execute(select(func.count()).where(between)).scalar_one()
    if first is not None:
        out = {"firstUnread": messages.row(first).document(), "unreadNotLoaded": int(total)}
    return out


#: A sync cursor: ``(_updatedAt, _id)`` of the last message sent; ``_updatedAt`` alone would
#: skip messages written in the same millisecond (an import writes thousands).
Cursor = tuple[int, str]


def cursor_of(message: MessageRow) -> str:
    return f"{message.updated_at}.{message.id}"


def parse_cursor(raw: str) -> Cursor:
    at, _, message_id = raw.partition(".")
    return int(at), message_id


class HistoryReader(WorkspaceReader):
    """History and sync reads for one user."""

    def _history(self, conn: Connection, room: RoomRow, request: HistoryRequest) -> dict[str, Any]:
        if not self._can_read(conn, room):
            raise NotAllowed()
        page = room_history(conn, room.id, request)
        out: dict[str, Any] = {"messages": [m.document() for m in page]}
        if request.unreads:
            out.update(_unreads(conn, room.id, request, page))
        return out

    def channel_history(
        self, room_id: str | None, room_name: str | None, request: HistoryRequest
    ) -> dict[str, Any]:
        with self._engine.connect() as conn:
            room = finders.channel(conn, room_id, room_name, checked_archived=False)
            return self._history(conn, room, request)

    def group_history(
        self, room_id: str | None, room_name: str | None, request: HistoryRequest
    ) -> dict[str, Any]:
        with self._engine.connect() as conn:
            room = finders.group(
                conn, room_id, room_name, self._readable(conn), checked_archived=False
            )
            return self._history(conn, room, request)

    def direct_history(self, room_id: str | None, request: HistoryRequest) -> dict[str, Any]:
        with self._engine.connect() as conn:
            room = finders.direct(conn, self._user_id, room_id, None)
            if room is None:
                return {"messages": []}
            return self._history(conn, room, request)

    # --- sync ----------------------------------------------------------------------------

    def _readable_room(self, conn: Connection, rid: str) -> RoomRow | None:
        room = rooms.get_room(conn, rid)
        return room if room is not None and self._can_read(conn, room) else None

    def sync_messages(
        self,
        room_id: str,
        *,
        last_update: int | None,
        kind: str | None,
        next_cursor: Cursor | None,
        previous_cursor: Cursor | None,
        count: int,
    ) -> dict[str, Any] | None:
        """``chat.syncMessages``: changed messages since ``lastUpdate``, or one cursor page of
        ``UPDATED`` (by ``_updatedAt``) / ``DELETED`` (always empty here). ``None``: the room
        cannot be read (upstream's bare failure)."""
        with self._engine.connect() as conn:
            room = self._readable_room(conn, room_id)
            if room is None:
                return None
            base = [M.c.rid == room.id, M.c.hidden.is_(False)]
            if last_update is not None:
                query = select(M).where(*base, M.c.updated_at > last_update)
                rows = conn.execute(query.order_by(M.c.ts.desc())).all()
                return {"updated": [messages.row(r).document() for r in rows], "deleted": []}
            if kind == "DELETED":
                return {"updated": [], "deleted": [], "cursor": {"next": None, "previous": None}}
            if previous_cursor is not None:
                at, after_id = previous_cursor
                query = select(M).where(
                    *base,
                    or_(M.c.updated_at < at, and_(M.c.updated_at == at, M.c.id < after_id)),
                )
                ordered = query.order_by(M.c.updated_at.desc(), M.c.id.desc())
            else:
                at, after_id = next_cursor or (0, "")
                query = select(M).where(
                    *base,
                    or_(M.c.updated_at > at, and_(M.c.updated_at == at, M.c.id > after_id)),
                )
                ordered = query.order_by(M.c.updated_at.asc(), M.c.id.asc())
            page = [messages.row(r) for r in conn.execute(ordered.limit(count))]
            if previous_cursor is not None:
                page.reverse()
            cursor = {
                "next": cursor_of(page[-1]) if len(page) == count else None,
                "previous": cursor_of(page[0]) if page else None,
            }
            return {"updated": [m.document() for m in page], "deleted": [], "cursor": cursor}

    def deleted_messages(self, room_id: str) -> None:
        """``chat.getDeletedMessages``: the room must be readable; nothing is ever deleted."""
        with self._engine.connect() as conn:
            if self._readable_room(conn, room_id) is None:
                raise CodedError("error-not-allowed", "Not allowed")

    def _thread_room(self, conn: Connection, tmid: str) -> RoomRow:
        parent = messages.get_message(conn, tmid)
        if parent is None:
            raise CodedError("error-invalid-message", "Invalid Message")
        room = self._readable_room(conn, parent.rid)
        if room is None:
            raise CodedError("error-not-allowed", "Not Allowed")
        return room

    def sync_thread_messages(self, tmid: str, updated_since: int) -> dict[str, Any]:
        with self._engine.connect() as conn:
            self._thread_room(conn, tmid)
            query = select(M).where(M.c.tmid == tmid, M.c.updated_at > updated_since)
            rows = conn.execute(query.order_by(M.c.ts.asc())).all()
        return {"update": [messages.row(r).document() for r in rows], "remove": []}

    def sync_threads_list(self, rid: str, updated_since: int) -> dict[str, Any]:
        with self._engine.connect() as conn:
            if self._readable_room(conn, rid) is None:
                raise CodedError("error-not-allowed", "Not Allowed")
            query = select(M).where(
                M.c.rid == rid,
                M.c.doc["tcount"].as_integer().is_not(None),
                M.c.updated_at > updated_since,
            )
            rows = conn.execute(query.order_by(M.c.ts.asc())).all()
        return {"update": [messages.row(r).document() for r in rows], "remove": []}
