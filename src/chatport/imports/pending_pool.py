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
import urllib.parse
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


def _host(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostHealth:
    """Fail fast per host: after ``limit`` downloads in a row from one host failed because it
    could not be reached (DNS, refused or timed-out connections), the host's remaining items
    fail at once with that reason instead of each waiting out its own timeouts (21,876 items
    at 6 a second). A success resets the count; ``limit`` 0 turns this off. Thread-safe: the
    pool's workers share it."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._streak: dict[str, int] = {}
        self._down: dict[str, str] = {}
        self.skipped: dict[str, int] = {}

    def given_up(self, host: str) -> str | None:
        with self._lock:
            reason = self._down.get(host)
            if reason is None:
                return None
            self.skipped[host] = self.skipped.get(host, 0) + 1
            return f"not tried: {host} is unreachable ({reason})"

    def failed(self, host: str, exc: ItemFailed) -> None:
        if not exc.unreachable or not self._limit or not host:
            return
        with self._lock:
            streak = self._streak.get(host, 0) + 1
            self._streak[host] = streak
            if streak >= self._limit and host not in self._down:
                self._down[host] = f"{streak} downloads in a row failed, the last: {exc.reason}"
                log.warning("pending downloads: giving up on %s: %s", host, self._down[host])

    def succeeded(self, host: str) -> None:
        with self._lock:
            self._streak.pop(host, None)

    def summary(self) -> list[dict[str, object]]:
        """Hosts given up on, with why and how many items failed without a try."""
        with self._lock:
            return [
                {"host": host, "reason": reason, "notTried": self.skipped.get(host, 0)}
                for host, reason in sorted(self._down.items())
            ]


class Pool:
    def __init__(self, ctx: Context, op: ops.Operation, op_owner: str, handler: Handler) -> None:
        self.ctx = ctx
        self.op = op
        self.op_owner = op_owner
        self.handler = handler
        self.stop = threading.Event()
        self.refused = False
        self._lock = threading.Lock()  # one finishing transaction at a time: counters stay exact
        self.hosts = HostHealth(ctx.config.pending_unreachable_after)
        self._tally: dict[str, int] | None = None
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
        reason: str | None = None
        host = _host(item.url)
        given_up = self.hosts.given_up(host)
        if given_up is not None:
            code, reason = DOWNLOAD_FAILED, given_up
            self._finish(item, owner, None, code, reason)
            return
        try:
            fetched = self.handler.fetch(item, self._ticker(item, owner))
        except ItemFailed as exc:
            code, reason = exc.code, exc.reason
            self.hosts.failed(host, exc)
        except Abandon:
            raise
        except Exception:
            log.exception("operation %s: item failed unexpectedly", self.op.id)
            code, reason = DOWNLOAD_FAILED, "an unexpected error (see the server log)"
        if fetched is not None:
            self.hosts.succeeded(host)
            crash.point("pending.after_blob_write_before_db")
        self._finish(item, owner, fetched, code, reason)

    def _finish(
        self,
        item: items.Item,
        owner: str,
        fetched: Fetched | None,
        code: str | None,
        reason: str | None = None,
    ) -> None:
        with self._lock, self.ctx.engine.begin() as conn:
            now = self.ctx.clock.now_ms()
            state = items.DONE if fetched is not None else items.ERROR
            if not items.finish(conn, item, owner, state, code, now, reason):
                raise Abandon()  # the lease went to another worker: it finishes the item
            if fetched is not None:
                self.handler.succeed(conn, item, fetched, now)
            else:
                self.handler.fail(conn, item, code or DOWNLOAD_FAILED, now)
            self._count(conn, now, state, item.weight)
        if code is not None:
            log.info(
                "operation %s: %s item failed: %s (%s)", self.op.id, self.handler.kind, code, reason
            )

    def _count(self, conn: Connection, now: int, state: str, weight: int) -> None:
        """The counters after one more finished item. Read from the items table once (a
        resumed run counts what its predecessor finished), then kept here: every finish of
        this operation goes through this pool, under its lock, so they stay exact without
        re-reading every item at every finish (quadratic over 20,000 items)."""
        if self._tally is None:
            self._tally = items.tally(conn, self.op.id)  # this item's finish included
        else:
            self._tally[state] = self._tally.get(state, 0) + weight
        per_state = self._tally
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
