"""The work of a preparation whose lease is held: stage, count, end ready or failed.

It runs in the preparation child (``prepare_child``) or, with ``prepare_in_child`` off, in a
thread of the server; every write is fenced by the lease owner either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import staging, steps
from chatport.imports.format_sniff import mismatch
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.prepare_errors import PrepareFailed
from chatport.imports.preparers import PREPARERS
from chatport.imports.transitions import cancel, fail

log = logging.getLogger("chatport.imports.prepare")

OUT_OF_MEMORY = "preparation ran out of memory"


def fail_preparation(ctx: Context, op_id: str, message: str, owner: str) -> bool:
    """End the operation failed (fenced by ``owner``) and drop what it staged."""
    with ctx.engine.connect() as conn:
        op = ops.get(conn, op_id)  # fresh: the doc may have changed since the caller read it
    if op is None or not fail(ctx, op, steps.FAIL_INVALID_FILE, message, owner=owner):
        return False
    with ctx.engine.begin() as conn:
        staging.clear_operation(conn, op_id)
    return True


def prepare_leased(
    ctx: Context,
    op: ops.Operation,
    lease: Lease,
    after_staging: Callable[[], None] | None = None,
) -> None:
    """Prepare ``op``; ``after_staging`` runs between the staging and the final status."""
    try:
        lease.checkpoint(force=True)
        reader = PREPARERS.get(op.importer_key)
        with ctx.engine.begin() as conn:
            staging.clear_operation(conn, op.id)
        if reader is not None:
            if not ctx.store.verify(op.id, op.file_size, op.file_sha256):
                fail_preparation(
                    ctx, op.id, "the stored import file is missing or changed", lease.owner
                )
                return
            wrong = mismatch(ctx.store.final_path(op.id), op.importer_key)
            if wrong is not None:
                fail_preparation(ctx, op.id, wrong, lease.owner)
                return
            reader(ctx, op, lease)
        if after_staging is not None:
            after_staging()
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
        fail_preparation(ctx, op.id, str(exc), lease.owner)
    except Cancelled:
        cancel(ctx, op, owner=lease.owner)
    except LeaseLost:
        log.warning("operation %s: lease lost during preparation", op.id)
    except MemoryError:
        log.error("operation %s: preparation ran out of memory", op.id)
        fail_preparation(ctx, op.id, OUT_OF_MEMORY, lease.owner)
    except Exception:
        log.exception("operation %s: preparation crashed", op.id)
        fail_preparation(ctx, op.id, "the file could not be read", lease.owner)
