"""The lease a background worker holds on an operation while it works on it.

Work calls ``checkpoint()`` between chunks and batches: that renews the lease every heartbeat,
stops on invalidation (cooperative cancellation) and stops a worker that lost its lease.
"""

from __future__ import annotations

from chatport.context import Context
from chatport.imports import operations as ops


class Cancelled(Exception):
    """The operation was invalidated: stop, clean up, end cancelled."""


class LeaseLost(Exception):
    """Another worker owns the operation now: stop without writing anything."""


class Lease:
    def __init__(self, ctx: Context, op_id: str):
        self._ctx = ctx
        self.op_id = op_id
        self.owner = ctx.worker_id
        self._last = 0

    def acquire(self) -> ops.Operation | None:
        now = self._ctx.clock.now_ms()
        with self._ctx.engine.begin() as conn:
            op = ops.claim(conn, self.op_id, self.owner, now, self._ctx.lease_ms)
        self._last = now
        return op

    def checkpoint(self, force: bool = False) -> None:
        now = self._ctx.clock.now_ms()
        if not force and now - self._last < min(1000, self._ctx.lease_ms // 4):
            return
        with self._ctx.engine.begin() as conn:
            owned, valid = ops.renew(conn, self.op_id, self.owner, now, self._ctx.lease_ms)
        self._last = now
        if not owned:
            raise LeaseLost(self.op_id)
        if not valid:
            raise Cancelled(self.op_id)

    def release(self) -> None:
        with self._ctx.engine.begin() as conn:
            ops.release(conn, self.op_id, self.owner)
