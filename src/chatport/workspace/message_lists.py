"""A room's files, pins, mentions, stars, threads and discussions, and its search.

Each is upstream's query on one room the caller can read, with its default order and
``{items, count, offset, total}`` paging (``chat.search`` answers a page without a total, as
upstream does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from chatport.accounts import repository as accounts_repo
from chatport.db import tables
from chatport.errors import CodedError, PlainError
from chatport.workspace import messages, read, rooms, search
from chatport.workspace.json_sql import array_holds, field_text, has_field
from chatport.workspace.read import PageRequest
from chatport.workspace.rooms import RoomRow
from chatport.workspace.search_query import parse
from chatport.workspace.service import DocumentPage, WorkspaceReader
from chatport.workspace.uploads import row as upload_row

M = tables.messages
UP = tables.uploads


def _messages_page(
    conn: Connection, conditions: list[Any], request: PageRequest, order: list[Any]
) -> DocumentPage:
    rows, total = read.page(conn, select(M).where(*conditions), request, order)
    return DocumentPage([messages.row(r).document() for r in rows], total)


class MessageListReader(WorkspaceReader):
    """Per-room message lists and search for one user."""

    def _room(self, conn: Connection, rid: str, error: Exception) -> RoomRow:
        room = rooms.get_room(conn, rid)
        if room is None or not self._can_read(conn, room):
            raise error
        return room

    # --- files ---------------------------------------------------------------------------

    def files(
        self, room: RoomRow, request: PageRequest, *, name: str, type_group: str
    ) -> DocumentPage:
        """``channels/groups/im.files``: uploads of the room, by name unless sorted."""
        with self._engine.connect() as conn:
            conditions: list[Any] = [UP.c.rid == room.id]
            file_name = field_text(conn, "name", table="uploads")
            if name:
                conditions.append(func.lower(file_name).contains(name.lower(), autoescape=True))
            if type_group:
                conditions.append(field_text(conn, "typeGroup", table="uploads") == type_group)
            columns = {
                "name": file_name,
                "uploadedAt": field_text(conn, "uploadedAt", table="uploads"),
                "_id": UP.c.id,
            }
            order: list[Any] = []
            for key, direction in request.sort or (("name", 1),):
                column = columns.get(key)
                if column is not None:
                    order.append(column.asc() if direction > 0 else column.desc())
            order.append(UP.c.id.asc())
            rows, total = read.page(conn, select(UP).where(*conditions), request, order)
            authors = {r.user_id for r in rows if r.user_id}
            users = {u: accounts_repo.get_user(conn, u) for u in authors}
        files: list[dict[str, Any]] = []
        for r in rows:
            doc = upload_row(r).document()
            author = users.get(r.user_id) if r.user_id else None
            if author is not None:
                doc["user"] = {"_id": author.id, "username": author.username}
                if author.doc.get("name"):
                    doc["user"]["name"] = author.doc["name"]
            files.append(doc)
        return DocumentPage(files, total)

    # --- pins, mentions, stars, threads, discussions --------------------------------------

    def _visible(
        self, rid: str, request: PageRequest, refusal: Exception, matching: Any
    ) -> DocumentPage:
        """A readable room's visible messages that match, newest first unless sorted."""
        with self._engine.connect() as conn:
            room = self._room(conn, rid, refusal)
            condition = matching(conn) if callable(matching) else matching
            conditions = [M.c.rid == room.id, M.c.hidden.is_(False), condition]
            order = read.message_order(request.sort, (("ts", -1),))
            return _messages_page(conn, conditions, request, order)

    def pinned(self, rid: str, request: PageRequest) -> DocumentPage:
        return self._visible(
            rid,
            request,
            CodedError("error-not-allowed", "Not allowed"),
            M.c.doc["pinned"].as_boolean().is_(True),
        )

    def mentioned(self, rid: str, request: PageRequest) -> DocumentPage:
        with self._engine.connect() as conn:
            me = accounts_repo.get_user(conn, self._user_id)
        if me is None or not me.username:
            raise PlainError("invalid-user")
        username = me.username
        return self._visible(
            rid,
            request,
            PlainError("error-not-allowed"),
            lambda conn: array_holds(conn, "mentions", "username", "mentioned", [username]),
        )

    def starred(self, rid: str, request: PageRequest) -> DocumentPage:
        return self._visible(
            rid,
            request,
            PlainError("error-not-allowed"),
            lambda conn: array_holds(conn, "starred", "_id", "starred_by", [self._user_id]),
        )

    def threads(self, rid: str, request: PageRequest, *, kind: str, text: str) -> DocumentPage:
        """``chat.getThreadsList``: thread parents, newest reply first."""
        with self._engine.connect() as conn:
            room = self._room(conn, rid, CodedError("error-not-allowed", "Not Allowed"))
            conditions: list[Any] = [
                M.c.rid == room.id,
                M.c.hidden.is_(False),
                has_field(conn, "tcount"),
            ]
            if kind == "following":
                conditions.append(array_holds(conn, "replies", "", "following", [self._user_id]))
            elif kind == "unread":
                sub = conn.execute(
                    select(tables.subscriptions.c.doc).where(
                        tables.subscriptions.c.rid == room.id,
                        tables.subscriptions.c.user_id == self._user_id,
                    )
                ).scalar_one_or_none()
                unread = list((sub or {}).get("tunread") or [])
                conditions.append(M.c.id.in_(unread))
            if text:
                msg = func.lower(field_text(conn, "msg"))
                conditions.append(msg.contains(text.lower(), autoescape=True))
            tlm = M.c.doc["tlm"].as_float()  # milliseconds exceed a 32-bit integer
            order: list[Any] = []
            for key, direction in request.sort or (("tlm", -1),):
                column = tlm if key == "tlm" else read.MESSAGE_SORT.get(key)
                if column is not None:
                    order.append(
                        column.asc().nulls_first() if direction > 0 else column.desc().nulls_last()
                    )
            order.append(M.c.id.asc())
            rows, total = read.page(conn, select(M).where(*conditions), request, order)
            return DocumentPage([messages.row(r).document() for r in rows], total)

    def discussions(self, rid: str, request: PageRequest, *, text: str) -> DocumentPage:
        with self._engine.connect() as conn:
            room = self._room(conn, rid, PlainError("error-not-allowed"))
            conditions: list[Any] = [M.c.rid == room.id, has_field(conn, "drid")]
            if text:
                msg = func.lower(field_text(conn, "msg"))
                conditions.append(msg.contains(text.lower(), autoescape=True))
            return _messages_page(
                conn, conditions, request, read.message_order(request.sort, (("ts", -1),))
            )

    # --- search --------------------------------------------------------------------------

    def search(
        self, rid: str, text: str, *, offset: int, count: int, always_regexp: bool
    ) -> list[dict[str, Any]] | None:
        """``chat.search`` in one room; ``None`` when the room cannot be read."""
        with self._engine.connect() as conn:
            room = rooms.get_room(conn, rid)
            if room is None or not self._can_read(conn, room):
                return None
            me = accounts_repo.get_user(conn, self._user_id)
            offset_hours = (me.doc.get("utcOffset") if me else None) or 0
            query = parse(
                text,
                username=me.username if me else None,
                user_id=self._user_id,
                utc_offset=float(offset_hours) if isinstance(offset_hours, (int, float)) else 0.0,
                always_regexp=always_regexp,
            )
            found = search.search_room(conn, room.id, query, offset=offset, count=count)
            return [m.document() for m in found]
