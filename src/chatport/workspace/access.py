"""Who may read a room: Rocket.Chat's ``canAccessRoom``, plus chatport's admin rule.

Rocket.Chat lets a user read a room they are subscribed to, and any public channel when they
hold ``view-c-room``.  chatport adds two rules:

* a holder of ``view-room-administration`` (admins) reads every room, so an administrator can
  check any imported conversation without joining it (Rocket.Chat would require joining, or
  ``im.messages.others`` for direct messages);
* a member reads a private group only with ``view-p-room`` and a direct message only with
  ``view-d-room`` (Rocket.Chat's client hides those rooms without them; its server would still
  answer). Both are granted to users by default, so this only narrows what a role that lacks
  them can read.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Final

from sqlalchemy import Connection

# Rocket.Chat permission ids not (yet) seeded by ``chatport.accounts.seed``; their home is
# there (one source of truth), they are named here only until it carries them.
from chatport.accounts.seed import (  # noqa: E402
    VIEW_C_ROOM,
    VIEW_D_ROOM,
    VIEW_JOINED_ROOM,
    VIEW_OTHER_USER_CHANNELS,
    VIEW_P_ROOM,
    VIEW_ROOM_ADMINISTRATION,
)
from chatport.workspace import subscriptions
from chatport.workspace.rooms import RoomRow

READ_PERMISSIONS: Final = (
    VIEW_ROOM_ADMINISTRATION,
    VIEW_C_ROOM,
    VIEW_JOINED_ROOM,
    VIEW_P_ROOM,
    VIEW_D_ROOM,
    VIEW_OTHER_USER_CHANNELS,
)
"""The permissions the read rules consult; callers resolve them before reading (see
:class:`chatport.workspace.service.WorkspaceReader`)."""


def can_read(conn: Connection, room: RoomRow, user_id: str, held: Set[str]) -> bool:
    """``held``: which of :data:`READ_PERMISSIONS` the user holds."""
    if VIEW_ROOM_ADMINISTRATION in held:
        return True
    if room.t == "c" and VIEW_C_ROOM in held:
        return True
    if (room.t == "p" and VIEW_P_ROOM not in held) or (room.t == "d" and VIEW_D_ROOM not in held):
        return False
    return subscriptions.is_member(conn, room.id, user_id)
