"""Preparation for ``hipchatenterprise``: one pass over the tar.gz, then staging (importers §5).

The whole archive is read before anything is staged, so a refused member anywhere in it (an
unsafe name, a link, damaged or truncated data, a wrong export password) fails the preparation
with nothing half-written. Users and rooms are few and held in memory for that pass; messages
are only counted, and conversion reads them from the archive again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatport.archives.errors import ArchiveError
from chatport.archives.sniff import sniff_kind
from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.importers.hipchat import HipChatExport
from chatport.imports.lease import Lease
from chatport.imports.prepare_errors import PrepareFailed
from chatport.imports.stage_slack import record_counts, stage_records

if TYPE_CHECKING:
    from collections.abc import Callable


def open_hipchat(
    ctx: Context, op: ops.Operation, tick: Callable[[], None] | None = None
) -> HipChatExport:
    """The stored export, with the configured password; content problems fail preparation.

    ``tick`` (the lease's checkpoint) runs during each pass over the archive.
    """
    path = ctx.store.final_path(op.id)
    if sniff_kind(path) not in ("gzip", "salted"):
        raise PrepareFailed("not a tar.gz file (nor an encrypted .tar.gz.aes)")
    try:
        return HipChatExport(path, password=ctx.config.hipchat_export_password, tick=tick)
    except ArchiveError as exc:
        raise PrepareFailed(str(exc)) from None


def _status(ctx: Context, op: ops.Operation, lease: Lease, status: str) -> None:
    with ctx.engine.begin() as conn:
        ops.update_op(conn, op, ctx.clock.now_ms(), status=status, owner=lease.owner)


def prepare_hipchat(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    with open_hipchat(ctx, op, tick=lease.checkpoint) as export:
        _status(ctx, op, lease, steps.PREPARING_USERS)
        try:
            scan = export.scan()
        except ArchiveError as exc:
            raise PrepareFailed(str(exc)) from None
        users = stage_records(ctx, op, "user", scan.users, lease)
        _status(ctx, op, lease, steps.PREPARING_CHANNELS)
        channels = stage_records(ctx, op, "channel", scan.channels, lease)
        _status(ctx, op, lease, steps.PREPARING_MESSAGES)
        record_counts(
            ctx,
            op,
            lease,
            users,
            channels,
            scan.messages,
            export.namespace,
            "the export holds no users, rooms or messages",
        )
