"""Streaming a checked download into the file store, in the background.

The request answered once the final response's headers passed; from here on the transfer no
longer depends on the client. Every chunk is bounded by ``fetch`` (bytes, idle, deadline);
between chunks the lease is renewed and invalidation stops the transfer.
"""

from __future__ import annotations

import hashlib
import logging

from chatport.context import Context
from chatport.fetch.download import Download
from chatport.fetch.errors import FetchRefused
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.transitions import cancel, fail
from chatport.jobs import crash

log = logging.getLogger("chatport.imports.download")


def stream_to_store(ctx: Context, op: ops.Operation, lease: Lease, download: Download) -> None:
    """Write the body to ``<id>.part``, rename it into place, then mark the file loaded."""
    digest = hashlib.sha256()
    size = 0
    try:
        with download, ctx.store.open_part(op.id) as part:
            for chunk in download.iter_chunks():
                part.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                crash.point("download.after_part_write")
                lease.checkpoint()
            lease.checkpoint(force=True)
            crash.point("download.before_rename")
            stored = ctx.store.commit(op.id, part, size, digest.hexdigest())
        crash.point("download.after_rename_before_commit")
        with ctx.engine.begin() as conn:
            loaded = ops.update_op(
                conn,
                op,
                ctx.clock.now_ms(),
                status=steps.FILE_LOADED,
                owner=lease.owner,
                require_valid=True,
                file_size=stored.size,
                file_sha256=stored.sha256,
                stored_name=stored.name,
                lease_owner=None,
                lease_until=None,
            )
        if not loaded:
            ctx.store.discard(op.id)
            _after_lost(ctx, op, lease)
            return
        log.info("operation %s: file loaded (%d bytes)", op.id, stored.size)
        if ctx.config.import_prepare_eagerly:
            from chatport.imports.prepare import start_preparation

            start_preparation(ctx, op.id)
    except Cancelled:
        ctx.store.discard(op.id)
        cancel(ctx, op, owner=lease.owner)
    except LeaseLost:
        ctx.store.discard_part(op.id)
    except FetchRefused as exc:
        ctx.store.discard(op.id)
        fail(ctx, op, exc.code, owner=lease.owner)
    except OSError:
        log.exception("operation %s: storing the download failed", op.id)
        ctx.store.discard(op.id)
        fail(ctx, op, steps.FAIL_STORE, owner=lease.owner)


def _after_lost(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    """The final write was refused: invalidated (cancel) or fenced out (leave it)."""
    with ctx.engine.connect() as conn:
        fresh = ops.get(conn, op.id)
    if fresh and not fresh.valid and fresh.lease_owner == lease.owner:
        cancel(ctx, fresh, owner=lease.owner)
