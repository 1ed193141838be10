"""Streaming a checked download into the file store, in the background.

The request answers once the final response's headers passed; from then on the transfer no
longer depends on the client (security-reliability §1.5.10). Until then it does: a client
that leaves before the answer cancels it (§1.5.8), which ``Requester`` carries. Every chunk is
bounded by ``fetch`` (bytes, idle, deadline); between chunks the lease is renewed and
invalidation or the client's leaving stops the transfer.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from chatport.context import Context
from chatport.fetch.download import Download
from chatport.fetch.errors import FetchRefused
from chatport.fetch.timing import Abort
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.transitions import cancel, fail
from chatport.jobs import crash

log = logging.getLogger("chatport.imports.download")

# How long a finished body waits for its request to be answered before it is committed; the
# route settles right after the headers pass, so this only guards against a lost request.
ANSWER_WAIT_SECONDS = 60.0


class Requester:
    """The request that started a download, until that request is answered.

    The HTTP edge calls ``left()`` when the client disconnects and ``answer()`` when it is
    about to send the answer; whichever comes first wins. ``left()`` first raises ``abort``,
    which closes the socket of the fetch wherever it is (connect, headers, body); ``answer()``
    first detaches the download from the client for good.
    """

    def __init__(self) -> None:
        self.abort = Abort()
        self._lock = threading.Lock()
        self._settled = threading.Event()
        self._gone = False
        self._answered = False

    @property
    def gone(self) -> bool:
        """The client left before the answer: the download is to be cancelled."""
        return self._gone

    def left(self) -> None:
        """The client disconnected; ignored once the answer was committed to."""
        with self._lock:
            if self._answered or self._gone:
                return
            self._gone = True
        self._settled.set()
        self.abort.set()

    def answer(self) -> bool:
        """Commit to answering; False when the client had already left."""
        with self._lock:
            if not self._gone:
                self._answered = True
        self._settled.set()
        return self._answered

    def wait_answered(self, timeout: float = ANSWER_WAIT_SECONDS) -> bool:
        """Block until the request is answered or abandoned; True unless abandoned."""
        self._settled.wait(timeout)
        return not self._gone


def _stop_if_gone(op: ops.Operation, requester: Requester | None) -> None:
    if requester is not None and requester.gone:
        log.info("operation %s: the client left before the answer", op.id)
        raise Cancelled(op.id)


def stream_to_store(
    ctx: Context,
    op: ops.Operation,
    lease: Lease,
    download: Download,
    requester: Requester | None = None,
) -> None:
    """Write the body to ``<id>.part``, rename it into place, then mark the file loaded.

    With a ``requester``, the file is committed only once that request was answered, so a
    body that completes before the answer is still cancelled when the client leaves.
    """
    digest = hashlib.sha256()
    size = 0
    try:
        with download, ctx.store.open_part(op.id) as part:
            for chunk in download.iter_chunks():
                _stop_if_gone(op, requester)
                part.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                crash.point("download.after_part_write")
                lease.checkpoint()
            _stop_if_gone(op, requester)
            lease.checkpoint(force=True)
            if requester is not None:
                requester.wait_answered()
                _stop_if_gone(op, requester)
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
        if requester is not None and requester.gone:
            log.info("operation %s: the client left before the answer", op.id)
            cancel(ctx, op, owner=lease.owner)
        else:
            fail(ctx, op, exc.code, exc.message, owner=lease.owner)
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
