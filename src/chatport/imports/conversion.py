"""Conversion: staged records (and, for Slack, the archive's messages) to workspace rows.

Segments run in dependency order (users, channels, messages, finishing), each with its own
checkpoint. Each batch is one transaction that writes its rows, marks its records, adds to the
counters and advances the checkpoint, fenced by the lease. A crash between batches loses
nothing; a restart resumes after the last committed batch (security-reliability §4.4).
"""

from __future__ import annotations

import logging

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import registry as reg
from chatport.imports import staging, steps
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.phases.channels import convert_channels
from chatport.imports.phases.finishing import finish
from chatport.imports.phases.messages import convert_messages
from chatport.imports.phases.run import Fenced, Run
from chatport.imports.phases.users import convert_users
from chatport.imports.selection import Selection
from chatport.imports.transitions import cancel, fail

log = logging.getLogger("chatport.imports.convert")

READS_MESSAGES = frozenset({"slack", "csv", "hipchatenterprise"})


def start_conversion(ctx: Context, op_id: str) -> None:
    ctx.runner.submit(run_conversion, ctx, op_id)


def run_conversion(ctx: Context, op_id: str) -> None:
    lease = Lease(ctx, op_id)
    op = lease.acquire()
    if op is None or op.status not in steps.IMPORTING:
        return
    if op.importer_key in (reg.PENDING_FILES, reg.PENDING_AVATARS):
        from chatport.imports.pending import run_pending_from_import

        run_pending_from_import(ctx, op, lease)
        return
    try:
        lease.checkpoint(force=True)
        _convert(ctx, op, lease)
    except Cancelled:
        cancel(ctx, op, owner=lease.owner)
    except (LeaseLost, Fenced):
        log.warning("operation %s: lease lost during conversion", op_id)
    except Exception:
        log.exception("operation %s: conversion crashed", op_id)
        fail(
            ctx,
            op,
            steps.FAIL_IMPORT,
            "the import stopped on an unexpected error",
            owner=lease.owner,
        )


def _convert(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    checkpoint = dict(op.checkpoint or {})
    run = Run(ctx, op, lease, Selection.from_json(checkpoint.get("selection") or {}), checkpoint)
    if "phase" not in checkpoint:
        with ctx.engine.connect() as conn:
            staged = staging.count(conn, op.id)
        unstaged = op.count.get("messages", 0) if op.importer_key in READS_MESSAGES else 0
        count = op.count
        count.update({"total": staged + unstaged, "completed": 0, "error": 0, "skipped": 0})
        op.doc["count"] = count
        run.set_status(steps.IMPORTING_USERS, phase="users")
    if run.checkpoint["phase"] == "users":
        convert_users(run)
        run.set_status(steps.IMPORTING_CHANNELS, phase="channels")
    if run.checkpoint["phase"] == "channels":
        convert_channels(run)
        run.set_status(steps.IMPORTING_MESSAGES, phase="messages")
    if run.checkpoint["phase"] == "messages":
        if op.importer_key in READS_MESSAGES:
            convert_messages(run)
        run.set_status(steps.FINISHING, phase="finishing")
    if run.checkpoint["phase"] == "finishing":
        if op.importer_key in READS_MESSAGES:
            finish(run)
        _done(run)


def _done(run: Run) -> None:
    count = run.op.count
    processed = count.get("completed", 0) + count.get("error", 0) + count.get("skipped", 0)
    if processed != count.get("total"):
        log.warning(
            "operation %s: processed %d records of %s counted at preparation",
            run.op.id,
            processed,
            count.get("total"),
        )
        count["total"] = processed
    with run.ctx.engine.begin() as conn:
        staging.remove_clean(conn, run.op.id)
        if not ops.update_op(
            conn,
            run.op,
            run.now(),
            status=steps.DONE,
            doc_set={"count": count},
            doc_unset=("messagesstatus",),
            owner=run.lease.owner,
            require_valid=True,
            lease_owner=None,
            lease_until=None,
        ):
            raise Cancelled(run.op.id)
    log.info("operation %s: import done %s", run.op.id, count)
