"""Status changes that several phases share: fail, cancel, finish."""

from __future__ import annotations

import logging

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps

log = logging.getLogger("chatport.imports")


def fail(
    ctx: Context,
    op: ops.Operation,
    reason: str,
    message: str | None = None,
    owner: str | None = None,
) -> bool:
    """End ``op`` as failed; ``message`` (``failureMessage``) says why in words: the archive's
    problem, or why a download was refused or failed (rest-api §3.1)."""
    doc_set: dict[str, object] = {"failureReason": reason}
    if message:
        doc_set["failureMessage"] = message[:1000]
    with ctx.engine.begin() as conn:
        done = ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.ERROR,
            doc_set=doc_set,
            owner=owner,
            lease_owner=None,
            lease_until=None,
        )
    if done:
        log.info("operation %s failed: %s%s", op.id, reason, f" ({message})" if message else "")
    return done


def cancel(ctx: Context, op: ops.Operation, owner: str | None = None) -> bool:
    with ctx.engine.begin() as conn:
        done = ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.CANCELLED,
            doc_set={"failureReason": steps.FAIL_CANCELLED},
            owner=owner,
            lease_owner=None,
            lease_until=None,
        )
    if done:
        log.info("operation %s cancelled", op.id)
    return done
