"""Preparation: parse the stored file once, stage users and channels, count messages.

Always in the background (rest-api §3.8). The first ``getImportFileData`` for a loaded file
moves it to ``importer_preparing_started`` with a compare-and-set, so it runs once.
"""

from __future__ import annotations

import logging

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import staging, steps
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.prepare_errors import PrepareFailed
from chatport.imports.preparers import PREPARERS
from chatport.imports.transitions import cancel, fail

log = logging.getLogger("chatport.imports.prepare")


def start_preparation(ctx: Context, op_id: str) -> bool:
    with ctx.engine.begin() as conn:
        op = ops.get(conn, op_id)
        if op is None:
            return False
        moved = ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.PREPARING_STARTED,
            expect_status=frozenset({steps.FILE_LOADED}),
            require_valid=True,
        )
    if moved:
        ctx.runner.submit(run_preparation, ctx, op_id)
    return moved


def run_preparation(ctx: Context, op_id: str) -> None:
    lease = Lease(ctx, op_id)
    op = lease.acquire()
    if op is None or op.status not in steps.PREPARING:
        return
    try:
        lease.checkpoint(force=True)
        reader = PREPARERS.get(op.importer_key)
        with ctx.engine.begin() as conn:
            staging.clear_operation(conn, op.id)
        if reader is not None:
            if not ctx.store.verify(op.id, op.file_size, op.file_sha256):
                fail(
                    ctx,
                    op,
                    steps.FAIL_INVALID_FILE,
                    "the stored import file is missing or changed",
                    owner=lease.owner,
                )
                return
            reader(ctx, op, lease)
        with ctx.engine.begin() as conn:
            fresh = ops.get(conn, op.id)
            assert fresh is not None
            ops.update_op(
                conn,
                fresh,
                ctx.clock.now_ms(),
                status=steps.USER_SELECTION,
                owner=lease.owner,
                require_valid=True,
                lease_owner=None,
                lease_until=None,
            )
    except PrepareFailed as exc:
        fail(ctx, op, steps.FAIL_INVALID_FILE, str(exc), owner=lease.owner)
    except Cancelled:
        cancel(ctx, op, owner=lease.owner)
    except LeaseLost:
        log.warning("operation %s: lease lost during preparation", op_id)
    except Exception:
        log.exception("operation %s: preparation crashed", op_id)
        fail(ctx, op, steps.FAIL_INVALID_FILE, "the file could not be read", owner=lease.owner)
