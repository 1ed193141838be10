"""Pending downloads: files of imported messages and avatars of imported users.

chatport counts pending items from what imports recorded; an import that records none (every
importer of this release) ends ``importer_done`` at once.
"""

from __future__ import annotations

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.lease import Lease


def count_pending(ctx: Context, key: str) -> int:
    """Items awaiting download. No importer records pending items yet."""
    return 0


def start_pending(ctx: Context, op: ops.Operation, from_status: str) -> int:
    with ctx.engine.begin() as conn:
        ops.update_op(conn, op, ctx.clock.now_ms(), status=from_status)
    pending = count_pending(ctx, op.importer_key)
    with ctx.engine.begin() as conn:
        if pending == 0:
            ops.update_op(conn, op, ctx.clock.now_ms(), status=steps.DONE)
        else:
            ops.update_op(
                conn,
                op,
                ctx.clock.now_ms(),
                status=steps.IMPORTING_FILES,
                doc_set={"count": {"total": pending, "messages": pending}, "messagesstatus": None},
            )
    return pending


def run_pending_from_import(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    """startImport on a pending-* operation: the pending run, from importing_started."""
    start_pending(ctx, op, from_status=steps.IMPORTING_STARTED)
    lease.release()
