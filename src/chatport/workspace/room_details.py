"""Rooms and their members: ``channels/groups.info``, the joined-room lists, ``*.members``,
``*.counters``, ``*.roles``, ``*.moderators`` and ``subscriptions.getOne``.

The finders (:mod:`chatport.workspace.finders`) give each route family upstream's errors;
every answer is for a room the caller can read (:mod:`chatport.workspace.access`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Connection, func, or_, select

from chatport.accounts.seed import VIEW_ROOM_ADMINISTRATION
from chatport.clock import iso_ms
from chatport.db import tables
from chatport.errors import CodedError
from chatport.workspace import finders, read, rooms, subscriptions
from chatport.workspace.errors import NotAllowed
from chatport.workspace.read import PageRequest
from chatport.workspace.rooms import RoomRow
from chatport.workspace.service import DocumentPage, WorkspaceReader

R = tables.rooms
S = tables.subscriptions
U = tables.users
M = tables.messages

#: The user fields ``findUsersOfRoom`` sends for each member.
MEMBER_FIELDS: Final = (
    "username",
    "name",
    "nickname",
    "status",
    "statusText",
    "utcOffset",
    "avatarETag",
    "federated",
)
ROOM_ROLES: Final = ("owner", "moderator", "leader")
NO_DIRECT: Final = (
    'The required "roomId" or "username" param provided does not match any direct message'
)


def member_document(r: Any) -> dict[str, Any]:
    doc = dict(r.doc)
    out: dict[str, Any] = {"_id": r.id}
    for key in MEMBER_FIELDS:
        if key in doc:
            out[key] = doc[key]
    if r.username is not None:
        out["username"] = r.username
    out.setdefault("status", "offline")
    out["_updatedAt"] = iso_ms(r.updated_at)
    return out


def room_members(
    conn: Connection,
    rid: str,
    request: PageRequest,
    *,
    text_filter: str = "",
    statuses: Sequence[str] = (),
) -> DocumentPage:
    """Members, by ``username`` (``sort: {username: -1}`` reverses), with upstream's filter:
    a case-insensitive part of the username or name."""
    conditions: list[Any] = [U.c.id.in_(select(S.c.user_id).where(S.c.rid == rid))]
    needle = text_filter.strip().lower()
    if needle:
        conditions.append(
            or_(
                U.c.username_lower.contains(needle, autoescape=True),
                func.lower(U.c.doc["name"].as_string()).contains(needle, autoescape=True),
            )
        )
    if statuses:
        status = func.coalesce(U.c.doc["status"].as_string(), "offline")
        conditions.append(status.in_(list(statuses)))
    query = select(U.c.id, U.c.username, U.c.updated_at, U.c.doc).where(*conditions)
    descending = dict(request.sort).get("username") == -1
    order = U.c.username_lower.desc() if descending else U.c.username_lower.asc()
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(order, U.c.id).offset(request.offset).limit(request.count)
    ).all()
    return DocumentPage([member_document(r) for r in rows], int(total))


def _rooms_page(
    conn: Connection, request: PageRequest, t: str, member_id: str | None
) -> DocumentPage:
    conditions: list[Any] = [R.c.t == t]
    if member_id is not None:
        conditions.append(R.c.id.in_(select(S.c.rid).where(S.c.user_id == member_id)))
    query = select(R).where(*conditions)
    order = read.room_order(request.sort, (("name", 1),))
    rows, total = read.page(conn, query, request, order)
    return DocumentPage([rooms.row(r).document(api=True) for r in rows], total)


class RoomDetailsReader(WorkspaceReader):
    """Room details and membership for one user."""

    def _channel(self, conn: Connection, query: dict[str, Any], *, archived_ok: bool) -> RoomRow:
        room_id = query.get("roomId")
        room = finders.channel(
            conn,
            room_id,
            None if room_id is not None else query.get("roomName"),
            checked_archived=not archived_ok,
        )
        if not self._can_read(conn, room):
            raise NotAllowed()
        return room

    def _group(self, conn: Connection, query: dict[str, Any], *, archived_ok: bool) -> RoomRow:
        return finders.group(
            conn,
            query.get("roomId"),
            query.get("roomName"),
            self._readable(conn),
            checked_archived=not archived_ok,
        )

    def _direct(self, conn: Connection, query: dict[str, Any]) -> RoomRow:
        """``findDirectMessageRoom``: a DM one cannot read is refused (403), not hidden."""
        try:
            room = finders.direct(conn, self._user_id, query.get("roomId"), query.get("username"))
        except CodedError as exc:
            if exc.error != "invalid-channel":
                raise
            room = None
        if room is None:
            raise CodedError("error-room-not-found", NO_DIRECT)
        if not self._can_read(conn, room):
            raise NotAllowed()
        return room

    def room(self, kind: str, query: dict[str, Any], *, archived_ok: bool = True) -> RoomRow:
        with self._engine.connect() as conn:
            return self._find(conn, kind, query, archived_ok=archived_ok)

    def _find(
        self, conn: Connection, kind: str, query: dict[str, Any], *, archived_ok: bool
    ) -> RoomRow:
        if kind == "c":
            return self._channel(conn, query, archived_ok=archived_ok)
        if kind == "p":
            return self._group(conn, query, archived_ok=archived_ok)
        return self._direct(conn, query)

    def info(self, kind: str, query: dict[str, Any]) -> dict[str, Any]:
        return self.room(kind, query).document(api=True)

    # --- lists ---------------------------------------------------------------------------

    def joined(self, t: str, request: PageRequest) -> DocumentPage:
        """``channels.list.joined``, ``groups.list``, ``im.list``: the caller's rooms of type t."""
        with self._engine.connect() as conn:
            return _rooms_page(conn, request, t, self._user_id)

    def everyone(self, t: str, request: PageRequest) -> DocumentPage:
        """``groups.listAll``, ``im.list.everyone`` (``view-room-administration``)."""
        with self._engine.connect() as conn:
            return _rooms_page(conn, request, t, None)

    # --- members -------------------------------------------------------------------------

    def members(
        self,
        kind: str,
        query: dict[str, Any],
        request: PageRequest,
        *,
        text_filter: str,
        statuses: Sequence[str],
    ) -> DocumentPage:
        with self._engine.connect() as conn:
            room = self._find(conn, kind, query, archived_ok=True)
            return room_members(conn, room.id, request, text_filter=text_filter, statuses=statuses)

    def counters(self, kind: str, query: dict[str, Any], user_id: str | None) -> dict[str, Any]:
        """Upstream's ``*.counters``: another user's only with ``view-room-administration``."""
        access = self._has(VIEW_ROOM_ADMINISTRATION)
        if user_id and not access:
            raise NotAllowed()
        subject = user_id or self._user_id
        with self._engine.connect() as conn:
            room = self._find(conn, kind, query, archived_ok=kind != "c")
            sub = subscriptions.get_subscription(conn, room.id, subject)
            lm = room.lm if room.lm is not None else room.updated_at
            out: dict[str, Any] = {
                "joined": False,
                "members": None,
                "unreads": None,
                "unreadsFrom": None,
                "msgs": None,
                "latest": None,
                "userMentions": None,
            }
            if sub is not None and sub.doc.get("open"):
                since = sub.doc.get("ls") or sub.doc.get("ts") or 0
                unreads = conn.execute(
                    select(func.count()).where(
                        M.c.rid == room.id, M.c.hidden.is_(False), M.c.ts >= since, M.c.ts <= lm
                    )
                ).scalar_one()
                out.update(
                    joined=True,
                    unreads=int(unreads),
                    unreadsFrom=iso_ms(since),
                    userMentions=sub.doc.get("userMentions", 0),
                )
            if access or out["joined"]:
                out.update(members=room.users_count, msgs=room.msgs, latest=iso_ms(lm))
            return out

    def roles(
        self, kind: str, query: dict[str, Any], only: Sequence[str] = ROOM_ROLES
    ) -> list[dict[str, Any]]:
        """Members holding a room role (``getRoomRoles``): ``{_id, rid, u, roles}``."""
        with self._engine.connect() as conn:
            room = self._find(conn, kind, query, archived_ok=False)
            found: list[dict[str, Any]] = []
            for r in conn.execute(select(S).where(S.c.rid == room.id).order_by(S.c.id)):
                held = [role for role in (r.doc.get("roles") or []) if role in only]
                if held:
                    found.append(
                        {
                            "_id": r.id,
                            "rid": r.rid,
                            "u": r.doc.get("u"),
                            "roles": r.doc.get("roles"),
                        }
                    )
            return found

    def subscription(self, room_id: str) -> dict[str, Any] | None:
        with self._engine.connect() as conn:
            sub = subscriptions.get_subscription(conn, room_id, self._user_id)
            return sub.document() if sub is not None else None
