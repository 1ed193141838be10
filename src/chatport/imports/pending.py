"""Pending downloads: files of imported messages and avatars of imported users (§6).

The endpoint counts the items and answers at once (rest-api §4.8): it records them in the
item table and moves the operation to ``importer_importing_files`` in one transaction, then
queues the run. The run holds the operation's lease (so the sweep resumes it after a crash,
through ``run_conversion``) and drives a pool of download workers (``pending_pool``).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, wait

from chatport.clock import iso_ms
from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import pending_items as items
from chatport.imports import registry as reg
from chatport.imports import steps
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.pending_avatars import AvatarHandler
from chatport.imports.pending_cleanup import remove_orphans
from chatport.imports.pending_files import FileHandler
from chatport.imports.pending_pool import Handler, Pool
from chatport.imports.transitions import cancel, fail
from chatport.workspace.upload_store import UploadStore

log = logging.getLogger("chatport.imports.pending")


def handler_for(ctx: Context, key: str) -> Handler:
    store = UploadStore(ctx.config.resolved_upload_dir())
    if key == reg.PENDING_AVATARS:
        return AvatarHandler(ctx, store)
    return FileHandler(ctx, store)


def count_pending(ctx: Context, key: str) -> int:
    """Records a run of ``key`` would serve now: messages waiting for a file (a file shared
    by three messages counts 3, fetched once), or users waiting for an avatar."""
    with ctx.engine.connect() as conn:
        return sum(item.weight for item in handler_for(ctx, key).collect(conn))


def _record_items(ctx: Context, op: ops.Operation) -> int:
    """Find the items and move the operation on, in one transaction: the answered count."""
    handler = handler_for(ctx, op.importer_key)
    with ctx.engine.begin() as conn:
        found = handler.collect(conn)
        items.replace_items(conn, op.id, found, ctx.clock.now_ms())
        n = sum(item.weight for item in found)
        count = {**op.count, "total": n, "messages": n}
        if n:
            count.update(completed=0, error=0)
        now = ctx.clock.now_ms()
        moved = ops.update_op(
            conn,
            op,
            now,
            status=steps.IMPORTING_FILES if n else steps.DONE,
            doc_set={"count": count, "messagesstatus": None, "importStartedAt": iso_ms(now)},
            require_valid=True,
        )
    return n if moved else 0


def start_pending(ctx: Context, op: ops.Operation, from_status: str) -> int:
    """``downloadPendingFiles`` / ``downloadPendingAvatars``: count, answer, run in background."""
    with ctx.engine.begin() as conn:
        ops.update_op(conn, op, ctx.clock.now_ms(), status=from_status)
    n = _record_items(ctx, op)
    if n:
        from chatport.imports.conversion import start_conversion

        start_conversion(ctx, op.id)
    return n


def run_pending_from_import(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    """The run, entered through ``run_conversion`` holding the operation's lease.

    From ``importer_importing_started`` (``startImport`` on a pending operation) the items are
    found first; from ``importer_importing_files`` (queued by the endpoint, or resumed by the
    sweep after a crash) the recorded items are worked on, finished ones never again.
    """
    try:
        lease.checkpoint(force=True)
        if op.status != steps.IMPORTING_FILES and not _record_items(ctx, op):
            lease.release()
            return
        _run(ctx, op, lease)
    except Cancelled:
        cancel(ctx, op, owner=lease.owner)
    except LeaseLost:
        log.warning("operation %s: lease lost during pending downloads", op.id)
    except Exception:
        log.exception("operation %s: pending downloads crashed", op.id)
        fail(ctx, op, steps.FAIL_IMPORT, owner=lease.owner)


def _run(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    store = UploadStore(ctx.config.resolved_upload_dir())
    remove_orphans(ctx.engine, store, max(ctx.config.pending_lease_seconds, ctx.lease_ms / 1000))
    pool = Pool(ctx, op, lease.owner, handler_for(ctx, op.importer_key))
    workers = max(1, ctx.config.pending_download_workers)
    stopped: Exception | None = None
    with ThreadPoolExecutor(workers, thread_name_prefix="chatport-pending") as executor:
        futures = [executor.submit(pool.work, f"{lease.owner}/{i}") for i in range(workers)]
        while True:
            done, _ = wait(futures, timeout=0.25)
            if len(done) == len(futures):
                break
            if stopped is None:
                try:
                    lease.checkpoint()
                except (Cancelled, LeaseLost) as exc:
                    stopped = exc
                    pool.stop.set()
    for future in futures:
        future.result()  # a worker's unexpected exception fails the run
    if stopped is not None:
        raise stopped
    if pool.refused:
        lease.checkpoint(force=True)  # tells invalidated (Cancelled) from fenced (LeaseLost)
        raise LeaseLost(op.id)
    _done(ctx, op, lease, pool.hosts.summary())


def _done(
    ctx: Context, op: ops.Operation, lease: Lease, unreachable: list[dict[str, object]]
) -> None:
    """``unreachableHosts`` (a chatport addition): the hosts given up on, each with its
    reason and how many items failed without a try."""
    with ctx.engine.begin() as conn:
        per_state = items.tally(conn, op.id)
        count = op.count
        count["completed"] = per_state.get(items.DONE, 0)
        count["error"] = per_state.get(items.ERROR, 0)
        doc_set: dict[str, object] = {"count": count}
        if unreachable:
            doc_set["unreachableHosts"] = unreachable
        finished = ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.DONE,
            doc_set=doc_set,
            owner=lease.owner,
            require_valid=True,
            lease_owner=None,
            lease_until=None,
        )
    if not finished:
        lease.checkpoint(force=True)
        raise LeaseLost(op.id)
    log.info("operation %s: pending downloads done %s", op.id, count)
