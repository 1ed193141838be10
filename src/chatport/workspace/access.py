"""Who may read a room: Rocket.Chat's ``canAccessRoom``, plus chatport's admin rule.

Rocket.Chat lets a user read a room they are subscribed to, and any public channel when they
hold ``view-c-room``.  chatport adds one rule: a holder of ``view-room-administration`` (admins)
reads every room, so an administrator can check any imported conversation without joining it
(Rocket.Chat would require joining, or ``im.messages.others`` for direct messages).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Final

from sqlalchemy import Connection

# Rocket.Chat permission ids not (yet) seeded by ``chatport.accounts.seed``; their home is
# there (one source of truth), they are named here only until it carries them.
from chatport.accounts.seed import VIEW_C_ROOM, VIEW_JOINED_ROOM, VIEW_ROOM_ADMINISTRATION  # noqa: E402
from chatport.workspace import subscriptions
from chatport.workspace.rooms import RoomRow

READ_PERMISSIONS: Final = (VIEW_ROOM_ADMINISTRATION, VIEW_C_ROOM, VIEW_JOINED_ROOM)
"""The permissions the read rules consult; callers resolve them before reading (see
:class:`chatport.workspace.service.WorkspaceReader`)."""


def can_read(conn: Connection, room: RoomRow, user_id: str, held: Set[str]) -> bool:
    """``held``: which of :data:`READ_PERMISSIONS` the user holds."""
    if VIEW_ROOM_ADMINISTRATION in held:
        return True
    if room.t == "c" and VIEW_C_ROOM in held:
        return True
    return subscriptions.is_member(conn, room.id, user_id)
