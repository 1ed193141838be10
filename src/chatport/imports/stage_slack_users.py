"""Preparation for ``slack-users``: stage each member-list row as a user record."""

from __future__ import annotations

from pathlib import Path

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import staging, steps
from chatport.imports.importers.slack_users import NotMemberList, UserRecord, read_member_list
from chatport.imports.lease import Lease
from chatport.imports.prepare_errors import PrepareFailed

BATCH = 1000


def prepare_slack_users(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    with ctx.engine.begin() as conn:
        ops.update_op(conn, op, ctx.clock.now_ms(), status=steps.PREPARING_USERS, owner=lease.owner)
    path: Path = ctx.store.final_path(op.id)
    total = 0
    batch: list[UserRecord] = []
    try:
        for record in read_member_list(path, ctx.config.import_slack_guests):
            batch.append(record)
            if len(batch) >= BATCH:
                total += _flush(ctx, op, batch)
                batch = []
                lease.checkpoint()
        total += _flush(ctx, op, batch)
    except NotMemberList as exc:
        raise PrepareFailed(str(exc)) from None
    if total == 0:
        raise PrepareFailed("the member list holds no users")
    with ctx.engine.begin() as conn:
        ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            owner=lease.owner,
            doc_set={"count": {"total": total, "users": total}},
        )


def _flush(ctx: Context, op: ops.Operation, batch: list[UserRecord]) -> int:
    if not batch:
        return 0
    now = ctx.clock.now_ms()
    with ctx.engine.begin() as conn:
        for record in batch:
            staging.add(
                conn,
                op.id,
                "user",
                [record.data],
                now,
                source=record.source,
                skip_reason=record.skip_reason,
            )
    return len(batch)
