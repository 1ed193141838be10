"""Preparation for ``slack``: stage users and conversations, count messages (importers §2.2).

One streaming pass over the day files counts message records and finds synthetic bot users;
messages themselves are not staged: conversion reads them from the archive again.
"""

from __future__ import annotations

from collections.abc import Iterable

from chatport.accounts.settings_registry import DM_MAX_USERS
from chatport.archives.errors import ArchiveError
from chatport.archives.sniff import sniff_kind
from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import staging, steps
from chatport.imports.importers.slack.reader import SlackExport
from chatport.imports.importers.slack.records import ReaderRecord
from chatport.imports.lease import Lease
from chatport.imports.prepare_errors import PrepareFailed
from chatport.imports.slack_member_work import ReaderSpec, count_task, open_reader
from chatport.jobs.member_pool import MemberPool

BATCH = 1000


def open_export(ctx: Context, op: ops.Operation, *, for_import: bool = False) -> SlackExport:
    """The stored zip, read with the operation's settings; content problems fail preparation."""
    path = ctx.store.final_path(op.id)
    if sniff_kind(path) != "zip":
        raise PrepareFailed("not a zip file")
    try:
        return reader_spec(ctx, op, for_import=for_import).open()
    except ArchiveError as exc:
        raise PrepareFailed(str(exc)) from None


def reader_spec(ctx: Context, op: ops.Operation, *, for_import: bool = False) -> ReaderSpec:
    """How this operation's export is read, in a form a child process can take.

    The import pass trusts the day files its preparation proved safe for a plain parse
    (:meth:`~chatport.imports.filestore.FileStore.read_proven`); preparation trusts nothing.
    """
    return ReaderSpec(
        archive=str(ctx.store.final_path(op.id)),
        dm_max_users=int(ctx.settings.get(DM_MAX_USERS) or 1),
        guests=ctx.config.import_slack_guests,
        max_message_length=ctx.config.import_max_message_length,
        trusted=ctx.store.read_proven(op.id, op.file_sha256) if for_import else frozenset(),
    )


def use_workers(ctx: Context, export: SlackExport, start_member: int = 0) -> bool:
    """Whether the day files left are worth child processes (``import_workers`` > 1)."""
    return (
        ctx.config.import_workers > 1
        and export.day_file_bytes(start_member) >= ctx.config.import_parallel_min_bytes
    )


def _count_in_children(ctx: Context, op: ops.Operation, export: SlackExport) -> None:
    members = [(position, 0) for position in range(len(export.message_members()))]
    spec = reader_spec(ctx, op)
    with MemberPool(
        open_reader,
        count_task,
        spec,
        members,
        ctx.config.import_workers,
        weights=export.day_file_sizes(),
    ) as pool:
        export.adopt_scan(counted for _member, counted in pool)


def stage_records(
    ctx: Context, op: ops.Operation, data_type: str, records: Iterable[ReaderRecord], lease: Lease
) -> int:
    total = 0
    batch: list[ReaderRecord] = []

    def flush() -> None:
        now = ctx.clock.now_ms()
        with ctx.engine.begin() as conn:
            for rec in batch:
                staging.add(
                    conn,
                    op.id,
                    data_type,
                    [rec.data],
                    now,
                    source=rec.source,
                    errors=rec.errors or None,
                    skip_reason=rec.skip_reason,
                    warnings=rec.warnings or None,
                )
        batch.clear()
        lease.checkpoint()

    for rec in records:
        batch.append(rec)
        total += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return total


def _status(ctx: Context, op: ops.Operation, lease: Lease, status: str, **doc: object) -> None:
    with ctx.engine.begin() as conn:
        ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=status,
            owner=lease.owner,
            doc_set=dict(doc) if doc else None,
        )


def prepare_slack(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    with open_export(ctx, op) as export:
        try:
            _status(ctx, op, lease, steps.PREPARING_USERS)
            users = stage_records(ctx, op, "user", export.users(), lease)
            _status(ctx, op, lease, steps.PREPARING_CHANNELS)
            channels = stage_records(ctx, op, "channel", export.channels(), lease)
            _status(ctx, op, lease, steps.PREPARING_MESSAGES)
            if use_workers(ctx, export):
                _count_in_children(ctx, op, export)
            messages = export.count_messages()
            ctx.store.write_proven(op.id, op.file_sha256, export.proven_members)
            users += stage_records(ctx, op, "user", export.bot_users(), lease)
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
            "the export holds no users, channels or messages",
        )


def record_counts(
    ctx: Context,
    op: ops.Operation,
    lease: Lease,
    users: int,
    channels: int,
    messages: int,
    namespace: str,
    empty: str,
) -> None:
    """The prepared counts (importers §1.5), or a failure when there is nothing to import."""
    if users + channels + messages == 0:
        raise PrepareFailed(empty)
    count = {
        "total": users + channels + messages,
        "users": users,
        "channels": channels,
        "messages": messages,
    }
    with ctx.engine.begin() as conn:
        ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            owner=lease.owner,
            doc_set={"count": count, "namespace": namespace},
        )
