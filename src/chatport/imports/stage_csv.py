"""Preparation for ``csv``: stage users, channels and the DMs found in message files."""

from __future__ import annotations

from chatport.archives.errors import ArchiveError
from chatport.archives.sniff import sniff_kind
from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.importers.csvzip import CsvExport
from chatport.imports.lease import Lease
from chatport.imports.prepare_errors import PrepareFailed
from chatport.imports.stage_slack import record_counts, stage_records


def open_csv(ctx: Context, op: ops.Operation) -> CsvExport:
    path = ctx.store.final_path(op.id)
    if sniff_kind(path) != "zip":
        raise PrepareFailed("not a zip file")
    try:
        return CsvExport(path)
    except ArchiveError as exc:
        raise PrepareFailed(str(exc)) from None


def prepare_csv(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    with open_csv(ctx, op) as export:
        try:
            with ctx.engine.begin() as conn:
                ops.update_op(
                    conn, op, ctx.clock.now_ms(), status=steps.PREPARING_USERS, owner=lease.owner
                )
            users = stage_records(ctx, op, "user", export.users(), lease)
            with ctx.engine.begin() as conn:
                ops.update_op(
                    conn, op, ctx.clock.now_ms(), status=steps.PREPARING_CHANNELS, owner=lease.owner
                )
            messages = export.count_messages()
            channels = stage_records(ctx, op, "channel", export.channels(), lease)
        except ArchiveError as exc:
            raise PrepareFailed(str(exc)) from None
        record_counts(
            ctx,
            op,
            lease,
            users,
            channels,
            messages,
            export.namespace,
            "the zip holds no users.csv, channels.csv or message files",
        )
