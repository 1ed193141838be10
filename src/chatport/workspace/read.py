"""Paginated, sorted queries behind the read API.

Rocket.Chat paginates with ``offset``/``count`` and sorts with a Mongo sort object
(``{"ts": -1}``) over any field; here a sort key is honoured when it maps to a column (the
fields clients sort on: ``ts``, ``name``, ``_updatedAt``, counters...), other keys are ignored.
Missing values sort first ascending and last descending, as in MongoDB, on both backends; the
row id breaks ties so pages never overlap.  ``total`` counts the whole filtered set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, func, or_, select, true

from chatport.db import tables
from chatport.workspace import messages, rooms, subscriptions
from chatport.workspace.json_sql import array_holds
from chatport.workspace.messages import MessageRow
from chatport.workspace.rooms import RoomRow
from chatport.workspace.subscriptions import SubscriptionRow

M = tables.messages
R = tables.rooms
S = tables.subscriptions

T = TypeVar("T")

Sort = tuple[tuple[str, int], ...]

MESSAGE_SORT: Final[Mapping[str, Any]] = {
    "ts": M.c.ts,
    "_updatedAt": M.c.updated_at,
    "_id": M.c.id,
}
ROOM_SORT: Final[Mapping[str, Any]] = {
    "name": R.c.name,
    "fname": R.c.fname,
    "t": R.c.t,
    "ts": R.c.ts,
    "default": R.c.is_default,
    "msgs": R.c.msgs,
    "usersCount": R.c.users_count,
    "lm": R.c.lm,
    "_updatedAt": R.c.updated_at,
    "_id": R.c.id,
}


@dataclass(frozen=True)
class PageRequest:
    offset: int = 0
    count: int = 50
    sort: Sort = ()


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class MessageFilter:
    """Rocket.Chat's optional message filters (``mentionIds``, ``starredIds``, ``pinned``)."""

    mention_ids: tuple[str, ...] = ()
    starred_ids: tuple[str, ...] = ()
    pinned: bool = False
    include_hidden: bool = False


def _order(sort: Sort, columns: Mapping[str, Any], default: Sort, tiebreak: Any) -> list[Any]:
    clauses: list[Any] = []
    for key, direction in sort or default:
        column = columns.get(key)
        if column is None:
            continue
        clauses.append(column.asc().nulls_first() if direction > 0 else column.desc().nulls_last())
    if not clauses:
        for key, direction in default:
            column = columns[key]
            clauses.append(
                column.asc().nulls_first() if direction > 0 else column.desc().nulls_last()
            )
    clauses.append(tiebreak.asc())
    return clauses


def page(
    conn: Connection, query: Select[Any], request: PageRequest, order: list[Any]
) -> tuple[list[Any], int]:
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(*order).offset(max(0, request.offset)).limit(request.count)
    ).all()
    return list(rows), int(total)


def array_has_id(conn: Connection, path: str, name: str, wanted: Sequence[str]) -> Any:
    """``doc.<path>`` is an array holding an element whose ``_id`` is one of ``wanted``."""
    return array_holds(conn, path, "_id", name, wanted)


def _message_conditions(conn: Connection, filters: MessageFilter) -> list[Any]:
    conditions: list[Any] = []
    if not filters.include_hidden:
        conditions.append(M.c.hidden.is_(False))
    if filters.mention_ids:
        conditions.append(array_has_id(conn, "mentions", "mention_ids", filters.mention_ids))
    if filters.starred_ids:
        conditions.append(array_has_id(conn, "starred", "starred_ids", filters.starred_ids))
    if filters.pinned:
        conditions.append(M.c.doc["pinned"].as_boolean() == true())
    return conditions


def room_order(sort: Sort, default: Sort) -> list[Any]:
    return _order(sort, ROOM_SORT, default, R.c.id)


def message_order(sort: Sort, default: Sort) -> list[Any]:
    return _order(sort, MESSAGE_SORT, default, M.c.id)


def room_messages(
    conn: Connection, rid: str, request: PageRequest, filters: MessageFilter = MessageFilter()
) -> Page[MessageRow]:
    """A room's messages, newest first by default (``channels.messages`` and friends)."""
    query = select(M).where(M.c.rid == rid, *_message_conditions(conn, filters))
    order = _order(request.sort, MESSAGE_SORT, (("ts", -1),), M.c.id)
    rows, total = page(conn, query, request, order)
    return Page([messages.row(r) for r in rows], total)


def thread_messages(conn: Connection, tmid: str, request: PageRequest) -> Page[MessageRow]:
    """A thread's replies, oldest first by default (``chat.getThreadMessages``)."""
    query = select(M).where(M.c.tmid == tmid)
    order = _order(request.sort, MESSAGE_SORT, (("ts", 1),), M.c.id)
    rows, total = page(conn, query, request, order)
    return Page([messages.row(r) for r in rows], total)


def room_name_holds(needle: str) -> ColumnElement[bool]:
    """The room's ``name`` or ``fname`` holds ``needle`` (lower case), as typed, no wildcards."""
    return or_(
        R.c.name_lower.contains(needle, autoescape=True),
        func.lower(R.c.fname).contains(needle, autoescape=True),
    )


def admin_rooms(
    conn: Connection, request: PageRequest, *, text_filter: str = "", types: Sequence[str] = ()
) -> Page[RoomRow]:
    """Every room, optionally by type and by a case-insensitive part of ``name``/``fname``."""
    conditions: list[ColumnElement[bool]] = []
    wanted = [t for t in types if t in ("c", "p", "d")]
    if wanted:
        conditions.append(R.c.t.in_(wanted))
    needle = text_filter.strip().lower()
    if needle:
        conditions.append(room_name_holds(needle))
    query = select(R).where(*conditions)
    order = _order(request.sort, ROOM_SORT, (("default", -1), ("name", 1)), R.c.id)
    rows, total = page(conn, query, request, order)
    return Page([rooms.row(r) for r in rows], total)


def public_channels(
    conn: Connection,
    request: PageRequest,
    *,
    room_id: str | None = None,
    member_id: str | None = None,
) -> Page[RoomRow]:
    """Public channels (``channels.list``); with ``member_id``, only those that user joined."""
    conditions: list[ColumnElement[bool]] = [R.c.t == "c"]
    if room_id is not None:
        conditions.append(R.c.id == room_id)
    if member_id is not None:
        joined = select(S.c.rid).where(S.c.user_id == member_id)
        conditions.append(R.c.id.in_(joined))
    query = select(R).where(*conditions)
    order = _order(request.sort, ROOM_SORT, (("name", 1),), R.c.id)
    rows, total = page(conn, query, request, order)
    return Page([rooms.row(r) for r in rows], total)


def user_rooms(
    conn: Connection, user_id: str, *, updated_since: int | None = None
) -> list[RoomRow]:
    """The rooms a user is subscribed to (``rooms.get``), optionally changed since an instant."""
    query = select(R).join(S, S.c.rid == R.c.id).where(S.c.user_id == user_id)
    if updated_since is not None:
        query = query.where(R.c.updated_at > updated_since)
    return [rooms.row(r) for r in conn.execute(query.order_by(R.c.ts, R.c.id))]


def user_subscriptions(
    conn: Connection, user_id: str, *, updated_since: int | None = None
) -> list[SubscriptionRow]:
    """A user's subscriptions (``subscriptions.get``), optionally changed since an instant."""
    query = select(S).where(S.c.user_id == user_id)
    if updated_since is not None:
        query = query.where(S.c.updated_at > updated_since)
    return [subscriptions.row(r) for r in conn.execute(query.order_by(S.c.rid))]
