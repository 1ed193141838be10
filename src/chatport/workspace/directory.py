"""Finding people and rooms: ``directory``, ``spotlight``, ``roles.list``,
``roles.getUsersInRole``, and the rooms of a user for ``users.info?includeUserRooms=true``.

Rooms are only ever listed to someone who may read them: public channels (with
``view-c-room``), and the private rooms and DMs the caller belongs to.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, Engine, func, or_, select

from chatport.accounts import repository as accounts_repo
from chatport.accounts.seed import VIEW_C_ROOM, VIEW_ROOM_ADMINISTRATION
from chatport.clock import iso_ms
from chatport.db import tables
from chatport.workspace import read, rooms
from chatport.workspace.read import PageRequest
from chatport.workspace.room_details import member_document
from chatport.workspace.service import DocumentPage, WorkspaceReader

R = tables.rooms
S = tables.subscriptions
U = tables.users
UI = tables.user_import_ids

SPOTLIGHT_LIMIT: Final = 10
#: The room fields ``directory`` sends for a channel (upstream's ``browseChannels`` projection).
DIRECTORY_ROOM_FIELDS: Final = (
    "_id",
    "ts",
    "name",
    "fname",
    "description",
    "topic",
    "archived",
    "usersCount",
    "lastMessage",
    "default",
    "t",
    "teamMain",
    "teamId",
    "avatarETag",
    "prid",
)


def _user_matches(needle: str) -> Any:
    return or_(
        U.c.username_lower.contains(needle, autoescape=True),
        func.lower(U.c.doc["name"].as_string()).contains(needle, autoescape=True),
    )


class DirectoryReader(WorkspaceReader):
    """People and room lookups for one user."""

    def _visible_rooms(self, conn: Connection) -> Any:
        """Rooms the caller may see listed: readable public channels, joined rooms."""
        joined = R.c.id.in_(select(S.c.rid).where(S.c.user_id == self._user_id))
        if self._has(VIEW_ROOM_ADMINISTRATION):
            return R.c.id.is_not(None)
        if self._has(VIEW_C_ROOM):
            return or_(R.c.t == "c", joined)
        return joined

    def directory(self, kind: str, text: str, request: PageRequest) -> DocumentPage:
        needle = text.strip().lower()
        with self._engine.connect() as conn:
            if kind == "users":
                conditions: list[Any] = [U.c.active.is_(True), U.c.username.is_not(None)]
                if needle:
                    conditions.append(_user_matches(needle))
                query = select(U).where(*conditions)
                order_key = dict(request.sort)
                direction = order_key.get("name", order_key.get("username", 1))
                column = U.c.username_lower
                order = [column.asc() if direction > 0 else column.desc(), U.c.id]
                rows, total = read.page(conn, query, request, order)
                users = []
                for r in rows:
                    doc = member_document(r)
                    doc["createdAt"] = iso_ms(r.created_at)
                    users.append(doc)
                return DocumentPage(users, total)
            conditions = [R.c.t == "c", self._visible_rooms(conn)]
            if needle:
                conditions.append(read.room_name_holds(needle))
            query = select(R).where(*conditions)
            order = read.room_order(request.sort, (("usersCount", -1), ("name", 1)))
            rows, total = read.page(conn, query, request, order)
        found: list[dict[str, Any]] = []
        for r in rows:
            doc = rooms.row(r).document(api=True)
            found.append({k: doc[k] for k in DIRECTORY_ROOM_FIELDS if k in doc})
        return DocumentPage(found, total)

    def spotlight(self, text: str) -> dict[str, Any]:
        """Users and rooms whose name holds ``text`` (``@`` / ``#`` prefixes ignored)."""
        needle = text.strip().lstrip("@#").lower()
        with self._engine.connect() as conn:
            users_q = select(U).where(U.c.active.is_(True), U.c.username.is_not(None))
            if needle:
                users_q = users_q.where(_user_matches(needle))
            users = []
            for r in conn.execute(users_q.order_by(U.c.username_lower).limit(SPOTLIGHT_LIMIT)):
                doc = member_document(r)
                users.append(
                    {
                        k: doc[k]
                        for k in ("_id", "username", "name", "status", "statusText", "avatarETag")
                        if k in doc
                    }
                )
            rooms_q = select(R).where(R.c.t.in_(("c", "p")), self._visible_rooms(conn))
            if needle:
                rooms_q = rooms_q.where(read.room_name_holds(needle))
            found_rooms = []
            for r in conn.execute(rooms_q.order_by(R.c.name_lower).limit(SPOTLIGHT_LIMIT)):
                room = rooms.row(r)
                doc = room.document(api=True)
                found_rooms.append(
                    {
                        k: doc[k]
                        for k in ("_id", "name", "fname", "t", "uids", "avatarETag", "teamMain")
                        if k in doc
                    }
                )
        return {"users": users, "rooms": found_rooms}

    def users_in_role(
        self, role: str, room_id: str | None, request: PageRequest
    ) -> tuple[list[dict[str, Any]], int]:
        with self._engine.connect() as conn:
            if room_id:
                subs = conn.execute(select(S.c.user_id, S.c.doc).where(S.c.rid == room_id)).all()
                ids = sorted(s.user_id for s in subs if role in (s.doc.get("roles") or []))
                condition: Any = U.c.id.in_(ids)
            else:
                holders = [
                    r.id for r in conn.execute(select(U.c.id, U.c.roles)) if role in (r.roles or [])
                ]
                condition = U.c.id.in_(holders)
            query = select(U).where(condition)
            rows, total = read.page(conn, query, request, [U.c.username_lower.asc(), U.c.id])
        return [member_document(r) for r in rows], total

    def user_rooms(self, user_id: str) -> list[dict[str, Any]]:
        """``users.info`` ``rooms``: the user's subscriptions, as upstream projects them."""
        with self._engine.connect() as conn:
            subs = conn.execute(select(S).where(S.c.user_id == user_id)).all()
        out = []
        for s in subs:
            doc = dict(s.doc)
            item: dict[str, Any] = {"_id": s.id, "rid": s.rid}
            for key in ("name", "t", "roles", "unread", "federated"):
                if key in doc:
                    item[key] = doc[key]
            out.append(item)
        out.sort(key=lambda item: (str(item.get("t", "")), str(item.get("name", ""))))
        return out


def roles_list(engine: Engine) -> list[dict[str, Any]]:
    """``roles.list``: every role, as Rocket.Chat describes one."""
    with engine.connect() as conn:
        found = conn.execute(select(tables.roles).order_by(tables.roles.c.id)).all()
    return [
        {
            "_id": r.id,
            "name": r.id,
            "scope": r.scope,
            "description": r.description,
            "protected": bool(r.protected),
            "mandatory2fa": False,
        }
        for r in found
    ]


def user_by_import_id(engine: Engine, import_id: str) -> accounts_repo.UserRow | None:
    """The user an import created or merged for a source id, in any source's namespace."""
    with engine.connect() as conn:
        found = conn.execute(
            select(UI.c.user_id).where(UI.c.import_id == import_id).order_by(UI.c.namespace)
        ).first()
        return accounts_repo.get_user(conn, found.user_id) if found else None
