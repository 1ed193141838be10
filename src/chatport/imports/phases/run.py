"""What every conversion phase shares: the run's state and the fenced batch commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Run:
    ctx: Context
    op: ops.Operation
    lease: Lease
    selection: Selection
    checkpoint: dict[str, Any] = field(default_factory=dict)
    #: Thread parents named by the messages this run wrote, when the messages phase ran whole
    #: in this process; None after a resume (finishing then asks the database).
    thread_parents: set[str] | None = None

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
