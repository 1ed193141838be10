"""The download pool of a pending run: N workers claiming, fetching and finishing items.

Each worker claims one item under an expiring lease, renews it every heartbeat while the bytes
stream, and finishes it in one transaction that checks the lease (fencing), writes the
documents, and commits the operation's counters recomputed from the item table. A worker told
to stop (the operation was invalidated, or its lease lost) abandons its item without writing:
the item's lease expires and a later run claims it again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Connection

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import pending_items as items
from chatport.imports.pending_fetch import DOWNLOAD_FAILED, ItemFailed
from chatport.imports.pending_files import Fetched
from chatport.jobs import crash

log = logging.getLogger("chatport.imports.pending")


class Handler(Protocol):
    kind: str

    def collect(self, conn: Connection) -> list[items.NewItem]: ...
    def on_claim(self, conn: Connection, item: items.Item, locked_until: int, now: int) -> None: ...
    def fetch(self, item: items.Item, tick: Callable[[], None]) -> Fetched: ...
    def succeed(self, conn: Connection, item: items.Item, fetched: Fetched, now: int) -> None: ...
    def fail(self, conn: Connection, item: items.Item, code: str, now: int) -> None: ...


class Abandon(Exception):
    """Stop working on the item without writing anything (stop requested, lease lost)."""


class Refused(Exception):
    """The operation refused the counters' write: invalidated, or no longer ours."""


class Pool:
    def __init__(self, ctx: Context, op: ops.Operation, op_owner: str, handler: Handler) -> None:
        self.ctx = ctx
        self.op = op
        self.op_owner = op_owner
        self.handler = handler
        self.stop = threading.Event()
        self.refused = False
        self._lock = threading.Lock()  # one finishing transaction at a time: counters stay exact
        self._lease_ms = int(ctx.config.pending_lease_seconds * 1000)
        self._heartbeat_ms = int(ctx.config.pending_heartbeat_seconds * 1000)

    def work(self, owner: str) -> None:
        """One worker's loop, until no item is left or the run stops."""
        idle = min(1.0, max(0.05, self._lease_ms / 4000))
        while not self.stop.is_set():
            now = self.ctx.clock.now_ms()
            with self.ctx.engine.begin() as conn:
                item = items.claim_next(conn, self.op.id, owner, now, self._lease_ms)
                if item is not None:
                    self.handler.on_claim(conn, item, now + self._lease_ms, now)
            if item is None:
                with self.ctx.engine.connect() as conn:
                    if items.remaining(conn, self.op.id) == 0:
                        return
                self.stop.wait(idle)  # others hold the rest, or a dead worker's lease runs out
                continue
            try:
                self._process(item, owner)
            except Abandon:
                continue
            except Refused:
                self.refused = True
                self.stop.set()

    def _ticker(self, item: items.Item, owner: str) -> Callable[[], None]:
        last = [self.ctx.clock.now_ms()]

        def tick() -> None:
            if self.stop.is_set():
                raise Abandon()
            now = self.ctx.clock.now_ms()
            if now - last[0] < self._heartbeat_ms:
                return
            with self.ctx.engine.begin() as conn:
                if not items.renew(conn, item, owner, now, self._lease_ms):
                    raise Abandon()
            last[0] = now

        return tick

    def _process(self, item: items.Item, owner: str) -> None:
        fetched: Fetched | None = None
        code: str | None = None
        try:
            fetched = self.handler.fetch(item, self._ticker(item, owner))
        except ItemFailed as exc:
            code = exc.code
        except Abandon:
            raise
        except Exception:
            log.exception("operation %s: item failed unexpectedly", self.op.id)
            code = DOWNLOAD_FAILED
        if fetched is not None:
            crash.point("pending.after_blob_write_before_db")
        self._finish(item, owner, fetched, code)

    def _finish(
        self, item: items.Item, owner: str, fetched: Fetched | None, code: str | None
    ) -> None:
        with self._lock, self.ctx.engine.begin() as conn:
            now = self.ctx.clock.now_ms()
            state = items.DONE if fetched is not None else items.ERROR
            if not items.finish(conn, item, owner, state, code, now):
                raise Abandon()  # the lease went to another worker: it finishes the item
            if fetched is not None:
                self.handler.succeed(conn, item, fetched, now)
            else:
                self.handler.fail(conn, item, code or DOWNLOAD_FAILED, now)
            self._count(conn, now)
        if code is not None:
            log.info("operation %s: %s item failed: %s", self.op.id, self.handler.kind, code)

    def _count(self, conn: Connection, now: int) -> None:
        per_state = items.tally(conn, self.op.id)
        count = self.op.count
        count["completed"] = per_state.get(items.DONE, 0)
        count["error"] = per_state.get(items.ERROR, 0)
        if not ops.update_op(
            conn,
            self.op,
            now,
            doc_set={"count": count},
            owner=self.op_owner,
            require_valid=True,
        ):
            raise Refused()
