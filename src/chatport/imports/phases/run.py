"""What every conversion phase shares: the run's state and the fenced batch commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from chatport.accounts import repository as accounts_repo
from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports.convert.lookups import UserLookup
from chatport.imports.lease import Cancelled, Lease
from chatport.imports.selection import Selection
from chatport.jobs import crash
from chatport.workspace.subscriptions import Member


class Fenced(Exception):
    """A batch commit was refused: another worker holds the lease now."""


@dataclass
class Tally:
    completed: int = 0
    error: int = 0
    skipped: int = 0

    def add(self, state: str) -> None:
        if state == "done":
            self.completed += 1
        elif state == "error":
            self.error += 1
        else:
            self.skipped += 1


class ThreadTally:
    """What the messages phase wrote about threads, so finishing need not ask the database.

    Per thread parent: how many replies, the newest reply's ``ts`` and the reply authors
    (importers §1.10: ``tcount``, ``tlm``, ``replies``); per written message that carries
    thread fields, those fields as written, so a parent whose fields are already right is not
    even read. ``clean`` says every row was a new insert (no merge, no duplicate ``_id``, no
    conflict): only then do the rows as written equal the rows as stored. Finishing still
    checks each parent's count and newest reply against the database before trusting it.

    Memory (about 25 MB for a million messages with 50,000 threads): one entry per parent or
    message with thread fields, holding both; user ids are shared, as authors repeat.
    """

    def __init__(self) -> None:
        #: message id -> [reply count, newest reply ts, reply authors, thread fields as
        #: written (tcount, tlm, replies) or None]; a count of 0 is no thread parent (yet)
        self.entries: dict[str, list[Any]] = {}
        self.clean = False
        self._names: dict[str, str] = {}

    def see(self, row: tuple[Any, ...]) -> None:
        """One written row ``(id, rid, ts, tmid, u_id, hidden, json)``: runs for every
        message the import writes, so the common cases come first and stay cheap."""
        tmid = row[3]
        if tmid is None:
            if '"tcount"' in row[6]:  # a parent as exported (Slack's reply_count): parse it
                self._written(row[0], orjson.loads(row[6]))
            return
        entry = self.entries.get(tmid)
        if entry is None:
            self.entries[tmid] = [1, row[2], [self._names.setdefault(row[4], row[4])], None]
            return
        if not entry[0] or row[2] > entry[1]:
            entry[1] = row[2]
        entry[0] += 1
        if row[4] not in entry[2]:
            entry[2].append(self._names.setdefault(row[4], row[4]))

    def _written(self, message_id: str, doc: dict[str, Any]) -> None:
        """Thread fields as written. Replies' own fields are not kept: finishing reads the
        few such parents, if any, from the database."""
        if "tcount" not in doc:
            return
        replies = doc.get("replies")
        if isinstance(replies, list) and all(isinstance(r, str) for r in replies):
            replies = tuple(self._names.setdefault(r, r) for r in replies)
        written = (doc["tcount"], doc.get("tlm"), replies)
        entry = self.entries.get(message_id)
        if entry is None:
            self.entries[message_id] = [0, 0, [], written]
        else:
            entry[3] = written

    def parent_ids(self) -> list[str]:
        """The parents the written replies name, sorted."""
        return sorted(message_id for message_id, entry in self.entries.items() if entry[0])

    def replies(self, parent_id: str) -> tuple[int, Any, list[str]] | None:
        """``(count, newest ts, authors)`` of the replies written to a parent, if any."""
        entry = self.entries.get(parent_id)
        if entry is None or not entry[0]:
            return None
        return entry[0], entry[1], entry[2]

    def settled(self, message_id: str, count: int, newest: Any, authors: list[str]) -> bool:
        """True when the message was written with exactly these thread fields already
        (``replies`` listing every author), so finishing has nothing to change in it."""
        entry = self.entries.get(message_id)
        if entry is None or entry[3] is None:
            return False
        tcount, tlm, replies = entry[3]
        if tcount != count or tlm != newest or not isinstance(replies, tuple):
            return False
        return all(author in replies for author in authors)


@dataclass
class Run:
    ctx: Context
    op: ops.Operation
    lease: Lease
    selection: Selection
    checkpoint: dict[str, Any] = field(default_factory=dict)
    #: The threads of the messages this run wrote, when the messages phase ran whole in this
    #: process; None after a resume (finishing then asks the database).
    threads: ThreadTally | None = None

    @property
    def namespace(self) -> str:
        return str(self.op.doc.get("namespace") or f"{self.op.importer_key}:")

    def now(self) -> int:
        return self.ctx.clock.now_ms()

    def commit(
        self,
        conn: Connection,
        tally: Tally,
        status: str | None = None,
        kind: str | None = None,
        **checkpoint: Any,
    ) -> None:
        """Counts and checkpoint in the caller's transaction, fenced by the lease.

        ``kind`` (users, channels, messages) also keeps a per-kind tally in the checkpoint,
        for summaries; the operation's ``count`` holds the totals clients read.
        """
        count = self.op.count
        for key in ("completed", "error", "skipped"):
            count[key] = count.get(key, 0) + getattr(tally, key)
        merged = {**self.checkpoint, **checkpoint}
        if kind is not None:
            kinds = dict(merged.get("tally") or {})
            mine = dict(kinds.get(kind) or {})
            for key in ("completed", "error", "skipped"):
                mine[key] = mine.get(key, 0) + getattr(tally, key)
            kinds[kind] = mine
            merged["tally"] = kinds
        crash.point("convert.before_commit")
        if not ops.update_op(
            conn,
            self.op,
            self.now(),
            status=status,
            doc_set={"count": count},
            owner=self.lease.owner,
            checkpoint=merged,
            require_valid=True,
        ):
            current = ops.get(conn, self.op.id)
            if current is not None and current.lease_owner == self.lease.owner:
                raise Cancelled(self.op.id)  # invalidated: the batch rolls back, work stops
            raise Fenced()
        self.checkpoint = merged

    def set_status(self, status: str, **checkpoint: Any) -> None:
        with self.ctx.engine.begin() as conn:
            self.commit(conn, Tally(), status=status, **checkpoint)


def user_lookup(run: Run, conn: Connection) -> UserLookup:
    """Users of this import's namespace; CSV may also name existing users (§4.4)."""
    lookup = UserLookup(run.namespace).load(conn)
    if run.op.importer_key == "csv":
        engine = run.ctx.engine

        def by_username(name: str) -> Member | None:
            with engine.connect() as read:
                user = accounts_repo.find_by_username(read, name)
            if user is None:
                return None
            return Member(user.id, user.username or user.id, user.doc.get("name"))

        lookup.fallback = by_username
    return lookup
