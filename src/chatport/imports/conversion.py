"""Conversion: staged records to workspace rows, in segments with their own checkpoints.

Each batch is one transaction that writes its rows, marks its staged records, adds to the
counters and advances the checkpoint, fenced by the lease. A crash between batches loses
nothing; a restart resumes after the last committed batch (security-reliability §4.4).
"""

from __future__ import annotations

import logging
from typing import Any

from chatport.accounts.settings_registry import DEFAULT_USER_ROLES
from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import registry as reg
from chatport.imports import staging, steps
from chatport.imports.convert.users import UserOptions, convert_user
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.selection import Selection
from chatport.imports.transitions import cancel, fail
from chatport.jobs import crash

log = logging.getLogger("chatport.imports.convert")

USER_BATCH = 50


class Fenced(Exception):
    """A batch commit was refused: another worker holds the lease now."""


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
    selection = Selection.from_json(checkpoint.get("selection") or {})
    if "phase" not in checkpoint:
        with ctx.engine.begin() as conn:
            total = staging.count(conn, op.id)
            count = op.count
            count.update(
                {"total": total + _unstaged_messages(op), "completed": 0, "error": 0, "skipped": 0}
            )
            checkpoint.update({"phase": "users", "users_seq": 0})
            if not ops.update_op(
                conn,
                op,
                ctx.clock.now_ms(),
                status=steps.IMPORTING_USERS,
                doc_set={"count": count},
                owner=lease.owner,
                checkpoint=checkpoint,
            ):
                raise Fenced()
    if checkpoint["phase"] == "users":
        _convert_users(ctx, op, lease, selection, checkpoint)
    with ctx.engine.begin() as conn:
        if not ops.update_op(
            conn, op, ctx.clock.now_ms(), status=steps.FINISHING, owner=lease.owner
        ):
            raise Fenced()
        staging.remove_clean(conn, op.id)
        if not ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.DONE,
            owner=lease.owner,
            lease_owner=None,
            lease_until=None,
        ):
            raise Fenced()
    log.info("operation %s: import done %s", op.id, op.count)


def _unstaged_messages(op: ops.Operation) -> int:
    """Messages are counted at prepare and read from the archive again, not staged."""
    return 0


def _user_options(ctx: Context, op: ops.Operation) -> UserOptions:
    roles = [r.strip() for r in str(ctx.settings.get(DEFAULT_USER_ROLES) or "").split(",")]
    is_api = op.importer_key == reg.API
    return UserOptions(
        namespace=f"{op.importer_key}:",
        skip_existing=is_api,
        bind_skipped=is_api,
        default_roles=[r for r in roles if r] or ["user"],
        grant_archive_roles=ctx.config.import_grant_archive_roles,
        bcrypt_rounds=ctx.config.bcrypt_rounds,
    )


def _convert_users(
    ctx: Context,
    op: ops.Operation,
    lease: Lease,
    selection: Selection,
    checkpoint: dict[str, Any],
) -> None:
    options = _user_options(ctx, op)
    while True:
        lease.checkpoint()
        with ctx.engine.connect() as conn:
            batch = next(
                staging.iter_records(conn, op.id, "user", checkpoint["users_seq"], USER_BATCH),
                [],
            )
        if not batch:
            break
        now = ctx.clock.now_ms()
        with ctx.engine.begin() as conn:
            tally = {"completed": 0, "error": 0, "skipped": 0}
            for rec in batch:
                if rec.errors:
                    staging.mark(conn, rec.id, "error", now)
                    tally["error"] += 1
                    continue
                if rec.skipped:
                    staging.mark(conn, rec.id, "skipped", now)
                    tally["skipped"] += 1
                    continue
                if not selection.users.includes(rec.import_id):
                    staging.mark(
                        conn, rec.id, "skipped", now, skip_reason="importer-record-not-selected"
                    )
                    tally["skipped"] += 1
                    continue
                outcome = convert_user(conn, rec.data, options, now)
                staging.mark(
                    conn,
                    rec.id,
                    outcome.state,
                    now,
                    errors=outcome.errors or None,
                    warnings=outcome.warnings or None,
                    skip_reason=outcome.skip_reason,
                )
                tally[{"done": "completed"}.get(outcome.state, outcome.state)] += 1
            count = op.count
            for key, value in tally.items():
                count[key] = count.get(key, 0) + value
            checkpoint = {**checkpoint, "users_seq": batch[-1].seq}
            crash.point("convert.before_commit")
            if not ops.update_op(
                conn, op, now, doc_set={"count": count}, owner=lease.owner, checkpoint=checkpoint
            ):
                raise Fenced()
        crash.point("convert.after_commit")
    checkpoint["phase"] = "finishing"
