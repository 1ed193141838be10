"""The read API's use cases: find the room, apply Rocket.Chat's access rules, query, render.

Each method opens one read-only connection, raises Rocket.Chat's domain errors
(:class:`~chatport.errors.CodedError` for ``Meteor.Error``, :class:`~chatport.errors.PlainError`
for ``Error``) or the route-shaped ones of :mod:`chatport.workspace.errors`, and returns the
documents exactly as the read API sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from chatport.accounts.seed import VIEW_ROOM_ADMINISTRATION
from chatport.errors import CodedError, PlainError
from chatport.workspace import finders, messages, read, rooms
from chatport.workspace.access import VIEW_C_ROOM, VIEW_JOINED_ROOM, can_read
from chatport.workspace.documents import ADMIN_ROOM_FIELDS, project
from chatport.workspace.errors import MessageNotFound, NotAllowed
from chatport.workspace.read import MessageFilter, PageRequest
from chatport.workspace.rooms import RoomRow
from chatport.workspace.subscriptions import is_member


@dataclass(frozen=True)
class DocumentPage:
    """One page of rendered documents, with the size of the whole result."""

    items: list[dict[str, Any]]
    total: int


class WorkspaceReader:
    """Reads for one authenticated user.

    ``held`` is which of :data:`~chatport.workspace.access.READ_PERMISSIONS` the user holds,
    resolved by the caller *before* any read: on SQLite every transaction takes the write lock
    up front, so asking for permissions on a second connection while a read holds the first
    would wait on itself.
    """

    def __init__(self, engine: Engine, user_id: str, held: Set[str]):
        self._engine = engine
        self._user_id = user_id
        self._held = frozenset(held)

    def _has(self, permission: str) -> bool:
        return permission in self._held

    def _can_read(self, conn: Connection, room: RoomRow) -> bool:
        return can_read(conn, room, self._user_id, self._held)

    def _readable(self, conn: Connection) -> Callable[[RoomRow], bool]:
        return lambda room: self._can_read(conn, room)

    # --- rooms ---------------------------------------------------------------------------

    def room_info(self, room_id: str | None, room_name: str | None) -> dict[str, Any]:
        """``rooms.info``: by id when ``roomId`` was sent (even empty), else by name."""
        if (room_id is None and room_name is None) or (room_id == "" and room_name == ""):
            raise CodedError(
                "error-roomid-param-not-provided",
                'The parameter "roomId" or "roomName" is required',
            )
        with self._engine.connect() as conn:
            if room_id is not None:
                room = rooms.get_room(conn, room_id)
            else:
                room = rooms.find_by_name(conn, room_name or "")
            if room is None:
                raise CodedError("error-room-not-found", finders.NO_CHANNEL)
            if not self._can_read(conn, room):
                raise NotAllowed()
            return room.document(api=True)

    def rooms_get(self, updated_since: int | None) -> list[dict[str, Any]]:
        """``rooms.get``: the rooms the caller is subscribed to."""
        with self._engine.connect() as conn:
            found = read.user_rooms(conn, self._user_id, updated_since=updated_since)
        return [room.document(api=True) for room in found]

    def admin_rooms(
        self, request: PageRequest, *, text_filter: str, types: Sequence[str]
    ) -> DocumentPage:
        """``rooms.adminRooms``: every room, projected to Rocket.Chat's admin fields."""
        if not self._has(VIEW_ROOM_ADMINISTRATION):
            raise PlainError("error-not-authorized")
        with self._engine.connect() as conn:
            page = read.admin_rooms(conn, request, text_filter=text_filter, types=types)
        return DocumentPage(
            [project(room.document(), ADMIN_ROOM_FIELDS) for room in page.items], page.total
        )

    def channels_list(self, request: PageRequest, *, room_id: str | None) -> DocumentPage:
        """``channels.list``: all public channels, or only joined ones without ``view-c-room``."""
        sees_all = self._has(VIEW_C_ROOM) or self._has(VIEW_ROOM_ADMINISTRATION)
        with self._engine.connect() as conn:
            page = read.public_channels(
                conn, request, room_id=room_id, member_id=None if sees_all else self._user_id
            )
        return DocumentPage([room.document(api=True) for room in page.items], page.total)

    # --- messages ------------------------------------------------------------------------

    def channel_messages(
        self, room_id: str, request: PageRequest, filters: MessageFilter
    ) -> DocumentPage:
        """``channels.messages``: a public channel's messages (archived channels too)."""
        with self._engine.connect() as conn:
            room = finders.channel(conn, room_id, None, checked_archived=False)
            if not self._can_read(conn, room):
                raise NotAllowed()
            if (
                self._has(VIEW_JOINED_ROOM)
                and not self._has(VIEW_ROOM_ADMINISTRATION)
                and not is_member(conn, room.id, self._user_id)
            ):
                raise NotAllowed()
            return self._messages(conn, room.id, request, filters)

    def group_messages(
        self,
        room_id: str | None,
        room_name: str | None,
        request: PageRequest,
        filters: MessageFilter,
    ) -> DocumentPage:
        """``groups.messages``: a private group's messages; as upstream, not when archived."""
        with self._engine.connect() as conn:
            room = finders.group(
                conn, room_id, room_name, self._readable(conn), checked_archived=True
            )
            return self._messages(conn, room.id, request, filters)

    def direct_messages(
        self,
        room_id: str | None,
        username: str | None,
        request: PageRequest,
        filters: MessageFilter,
    ) -> DocumentPage:
        """``im.messages``/``dm.messages``: by room id, or the caller's DM with a user."""
        with self._engine.connect() as conn:
            room = finders.direct(conn, self._user_id, room_id, username)
            if room is None:
                return DocumentPage([], 0)
            if not self._can_read(conn, room):
                raise NotAllowed()
            return self._messages(conn, room.id, request, filters)

    def _messages(
        self, conn: Connection, rid: str, request: PageRequest, filters: MessageFilter
    ) -> DocumentPage:
        page = read.room_messages(conn, rid, request, filters)
        return DocumentPage([m.document() for m in page.items], page.total)

    def message(self, message_id: str) -> dict[str, Any]:
        """``chat.getMessage``."""
        with self._engine.connect() as conn:
            found = messages.get_message(conn, message_id)
            if found is None:
                raise MessageNotFound()
            room = rooms.get_room(conn, found.rid)
            if room is None or not self._can_read(conn, room):
                raise NotAllowed()
            return found.document()

    def thread_messages(self, tmid: str, request: PageRequest) -> DocumentPage:
        """``chat.getThreadMessages``: the replies of a thread, oldest first."""
        with self._engine.connect() as conn:
            parent = messages.get_message(conn, tmid)
            if parent is None:
                raise CodedError("error-invalid-message", "Invalid Message")
            room = rooms.get_room(conn, parent.rid)
            if room is None or not self._can_read(conn, room):
                raise CodedError("error-not-allowed", "Not Allowed")
            page = read.thread_messages(conn, tmid, request)
        return DocumentPage([m.document() for m in page.items], page.total)

    # --- subscriptions -------------------------------------------------------------------

    def subscriptions(self, updated_since: int | None) -> list[dict[str, Any]]:
        """``subscriptions.get``: the caller's subscriptions."""
        with self._engine.connect() as conn:
            found = read.user_subscriptions(conn, self._user_id, updated_since=updated_since)
        return [s.document() for s in found]
