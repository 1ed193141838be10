"""In-memory maps from import ids to what conversion writes into documents.

Users and rooms are few next to messages, so the message phase loads them once per run
(and after a restart, again): one query instead of one per message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from chatport.db import tables
from chatport.workspace.subscriptions import Member

ROCKET_CAT = "rocket.cat"


@dataclass
class UserLookup:
    namespace: str
    by_import_id: dict[str, Member] = field(default_factory=dict)
    #: For sources that may name users they do not define (CSV, §4.4): resolves an unknown
    #: import id as an existing user name. Answers, found or not, are remembered.
    fallback: Callable[[str], Member | None] | None = None
    _misses: set[str] = field(default_factory=set)

    def load(self, conn: Connection) -> UserLookup:
        U, UI = tables.users, tables.user_import_ids
        rows = conn.execute(
            select(UI.c.import_id, U.c.id, U.c.username, U.c.doc["name"].as_string())
            .join(U, U.c.id == UI.c.user_id)
            .where(UI.c.namespace == self.namespace)
        )
        for import_id, user_id, username, name in rows:
            self.by_import_id[import_id] = Member(user_id, username or user_id, name or None)
        cat = conn.execute(select(U.c.id, U.c.username).where(U.c.id == ROCKET_CAT)).first()
        if cat is not None:
            self.by_import_id[ROCKET_CAT] = Member(ROCKET_CAT, ROCKET_CAT, "Rocket.Cat")
        return self

    def get(self, import_id: Any) -> Member | None:
        if not isinstance(import_id, str):
            return None
        found = self.by_import_id.get(import_id)
        if found is None and self.fallback is not None and import_id not in self._misses:
            found = self.fallback(import_id)
            if found is None:
                self._misses.add(import_id)
            else:
                self.by_import_id[import_id] = found
        return found


@dataclass(frozen=True)
class RoomRef:
    id: str
    name: str | None
    t: str


@dataclass
class RoomLookup:
    namespace: str
    by_import_id: dict[str, RoomRef] = field(default_factory=dict)
    by_name: dict[str, RoomRef] = field(default_factory=dict)

    def load(self, conn: Connection) -> RoomLookup:
        R, RI = tables.rooms, tables.room_import_ids
        rows = conn.execute(
            select(RI.c.import_id, R.c.id, R.c.name, R.c.t)
            .join(R, R.c.id == RI.c.room_id)
            .where(RI.c.namespace == self.namespace)
        )
        for import_id, room_id, name, t in rows:
            ref = RoomRef(room_id, name, t)
            self.by_import_id[import_id] = ref
            if name:
                self.by_name.setdefault(name, ref)
        return self

    def get(self, import_id: Any) -> RoomRef | None:
        if not isinstance(import_id, str):
            return None
        return self.by_import_id.get(import_id)

    def resolve_reference(self, conn: Connection, value: str) -> RoomRef | None:
        """A channel reference: an import id, else a room name (any room, §1.9 step 5)."""
        ref = self.by_import_id.get(value) or self.by_name.get(value)
        if ref is not None:
            return ref
        R = tables.rooms
        found = conn.execute(
            select(R.c.id, R.c.name, R.c.t).where((R.c.name == value) | (R.c.fname == value))
        ).first()
        if found is None:
            return None
        ref = RoomRef(found.id, found.name, found._mapping["t"])
        self.by_name[value] = ref
        return ref
