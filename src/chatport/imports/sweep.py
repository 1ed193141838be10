"""The sweep: no operation stays "running" after the process that ran it died.

Runs at start and periodically. An operation in a transient state whose lease expired (or that
nobody leased) is claimed, so one node acts on it, then: a download ends failed (its ``.part``
removed), since a body cannot be resumed; preparation restarts from scratch (it is idempotent);
conversion resumes from its checkpoint; an invalidated one ends cancelled.
"""

from __future__ import annotations

import logging

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.conversion import run_conversion
from chatport.imports.file_retention import apply_retention
from chatport.imports.lease_owner import dead_local_owner
from chatport.imports.prepare import run_preparation
from chatport.imports.transitions import cancel, fail
from chatport.jobs import crash

log = logging.getLogger("chatport.imports.sweep")


def sweep(ctx: Context) -> int:
    now = ctx.clock.now_ms()
    with ctx.engine.connect() as conn:
        stale = ops.transient_unleased(conn, now, ctx.lease_ms)
        # Leases of this host's dead processes (a restart): taken over now, not in 2 minutes.
        orphaned = [
            op
            for op in ops.leased_transient(conn, now)
            if dead_local_owner(op.lease_owner, ctx.worker_id)
        ]
    handled = 0
    for candidate in [*orphaned, *stale]:
        entry = ctx.registry.get(candidate.importer_key)
        if candidate.status == steps.NEW and (entry is None or not entry.takes_file):
            continue  # a resting state for importers without a file
        with ctx.engine.begin() as conn:
            if candidate in orphaned and candidate.lease_owner:
                log.info(
                    "operation %s: its process %s is gone, resuming at once",
                    candidate.id,
                    candidate.lease_owner,
                )
                op = ops.take_over(
                    conn, candidate.id, candidate.lease_owner, ctx.worker_id, now, ctx.lease_ms
                )
            else:
                op = ops.claim(conn, candidate.id, ctx.worker_id, now, ctx.lease_ms)
        if op is None or op.status != candidate.status:
            continue
        crash.point("sweep.during")
        handled += 1
        if not op.valid:
            ctx.store.discard(op.id)
            cancel(ctx, op, owner=ctx.worker_id)
        elif op.status == steps.NEW or op.status in steps.DOWNLOADING:
            ctx.store.discard(op.id)
            fail(ctx, op, steps.FAIL_DOWNLOAD, owner=ctx.worker_id)
        elif op.status in steps.PREPARING:
            log.info("operation %s: restarting preparation", op.id)
            with ctx.engine.begin() as conn:
                ops.release(conn, op.id, ctx.worker_id)
            ctx.runner.submit(run_preparation, ctx, op.id)
        elif op.status in steps.IMPORTING:
            log.info("operation %s: resuming conversion", op.id)
            with ctx.engine.begin() as conn:
                ops.release(conn, op.id, ctx.worker_id)
            ctx.runner.submit(run_conversion, ctx, op.id)
    try:
        apply_retention(ctx)
    except OSError:
        log.exception("removing ended imports' files failed")
    return handled
