"""Finding the room a route names, with Rocket.Chat's errors for each kind of route.

``channels.*`` find a public channel by ``roomId`` or ``roomName`` (``findChannelByIdOrName``),
``groups.*`` a private group the caller can read (``findPrivateGroupByIdOrName``: a group one
may not read is "not found", so its existence is not disclosed), ``im.*``/``dm.*`` a direct
message by room id or by the other member (``findDirectMessageRoom``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from sqlalchemy import Connection

from chatport.accounts import repository as accounts_repo
from chatport.errors import CodedError
from chatport.workspace import rooms
from chatport.workspace.rooms import RoomRow

NO_CHANNEL: Final = 'The required "roomId" or "roomName" param provided does not match any channel'
NO_GROUP: Final = 'The required "roomId" or "roomName" param provided does not match any group'


def channel(
    conn: Connection, room_id: str | None, room_name: str | None, *, checked_archived: bool
) -> RoomRow:
    """By ``roomId`` when sent (even empty), else by ``roomName``."""
    room: RoomRow | None = None
    if room_id is not None:
        room = rooms.get_room(conn, room_id)
    elif room_name is not None:
        room = rooms.find_by_name(conn, room_name)
    if room is None or room.t != "c":
        raise CodedError("error-room-not-found", NO_CHANNEL)
    if checked_archived and room.archived:
        raise CodedError("error-room-archived", f"The channel, {room.name}, is archived")
    return room


def group(
    conn: Connection,
    room_id: str | None,
    room_name: str | None,
    readable: Callable[[RoomRow], bool],
    *,
    checked_archived: bool,
) -> RoomRow:
    if not (room_id or "").strip() and not (room_name or "").strip():
        raise CodedError(
            "error-room-param-not-provided", 'The parameter "roomId" or "roomName" is required'
        )
    room = rooms.get_room(conn, room_id) if room_id else rooms.find_by_name(conn, room_name or "")
    if room is None or room.t != "p" or not readable(room):
        raise CodedError("error-room-not-found", NO_GROUP)
    if checked_archived and room.archived:
        raise CodedError("error-room-archived", f"The private group, {room.name}, is archived")
    return room


def direct(
    conn: Connection, user_id: str, room_id: str | None, username: str | None
) -> RoomRow | None:
    """A DM by room id, or the caller's DM with a user (by id or username, as upstream
    resolves ``roomId`` too); ``None`` when that DM does not exist (Rocket.Chat would create
    it on this read; chatport creates nothing)."""
    key = room_id if room_id else username
    if not isinstance(key, str):
        raise CodedError(
            "error-room-param-not-provided", 'Query param "roomId" or "username" is required'
        )
    key = key.replace("@", "", 1)
    other = accounts_repo.get_user(conn, key)
    if other is None:
        candidate = accounts_repo.find_by_username(conn, key)
        other = candidate if candidate and candidate.username == key else None
    if other is not None:
        return rooms.find_direct(conn, {user_id, other.id})
    room = rooms.get_room(conn, key)
    if room is None or room.t != "d":
        raise CodedError("invalid-channel")
    return room
