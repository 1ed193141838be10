"""Preparation: parse the stored file once, stage users and channels, count messages.

Always in the background (rest-api §3.8). The first ``getImportFileData`` for a loaded file
moves it to ``importer_preparing_started`` with a compare-and-set, so it runs once.

The backstop (security-reliability §1.6 item 15): the parse runs in a child process
(``prepare_child``) under ``RLIMIT_CPU`` and an optional ``RLIMIT_AS``, while this thread keeps
the operation's lease alive and watches a wall-clock deadline. A child that overruns is killed
with what it started; a child that crashes, is killed or runs out of memory leaves its
operation failed with a reason, its staged records removed, and the server running.
"""

from __future__ import annotations

import logging
import math
import signal
import time

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.lease import Cancelled, Lease, LeaseLost
from chatport.imports.prepare_child import EXIT_OUT_OF_MEMORY, ChildJob, run_child
from chatport.imports.prepare_work import OUT_OF_MEMORY, fail_preparation, prepare_leased
from chatport.imports.transitions import cancel
from chatport.jobs import processes

log = logging.getLogger("chatport.imports.prepare")

#: How often the waiting parent looks at the server shutting down, in seconds.
_POLL = 0.5


def start_preparation(ctx: Context, op_id: str) -> bool:
    with ctx.engine.begin() as conn:
        op = ops.get(conn, op_id)
        if op is None:
            return False
        moved = ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.PREPARING_STARTED,
            expect_status=frozenset({steps.FILE_LOADED}),
            require_valid=True,
        )
    if moved:
        ctx.runner.submit(run_preparation, ctx, op_id)
    return moved


def run_preparation(ctx: Context, op_id: str) -> None:
    lease = Lease(ctx, op_id)
    op = lease.acquire()
    if op is None or op.status not in steps.PREPARING:
        return
    if ctx.config.prepare_in_child:
        _prepare_in_child(ctx, op, lease)
    else:
        prepare_leased(ctx, op, lease)


def _prepare_in_child(ctx: Context, op: ops.Operation, lease: Lease) -> None:
    config = ctx.config
    job = ChildJob(config=config, clock=ctx.clock, op_id=op.id, owner=lease.owner)
    limits = processes.Limits(
        cpu_seconds=max(0, config.prepare_cpu_seconds),
        memory_bytes=max(0, config.prepare_memory_bytes),
    )
    try:
        child = processes.start(run_child, (job,), name=f"chatport-prepare-{op.id}", limits=limits)
    except Exception:
        log.exception("operation %s: the preparation process did not start", op.id)
        fail_preparation(ctx, op.id, "preparation could not start", lease.owner)
        return
    try:
        reason = _supervise(ctx, op, lease, child)
    finally:
        child.close()
    if reason is None:
        return
    with ctx.engine.connect() as conn:
        fresh = ops.get(conn, op.id)
    if fresh is None or fresh.status not in steps.PREPARING or fresh.lease_owner != lease.owner:
        return  # the child ended it (ready, failed, cancelled), or another worker owns it
    log.warning("operation %s: %s (process %d)", op.id, reason, child.pid)
    fail_preparation(ctx, op.id, reason, lease.owner)


def _supervise(ctx: Context, op: ops.Operation, lease: Lease, child: processes.Child) -> str | None:
    """Wait for the child, renewing the lease; the failure to record, if any."""
    config = ctx.config
    limit = config.prepare_deadline_seconds
    started = time.monotonic()
    deadline = started + limit if limit > 0 else math.inf
    beat = max(0.05, min(config.heartbeat_seconds, config.lease_seconds / 4))
    next_beat = started + beat
    while True:
        now = time.monotonic()
        if now >= deadline:
            child.kill()
            return f"preparation took longer than {limit:g} s"
        if child.wait(max(0.0, min(deadline, next_beat, now + _POLL) - now)):
            return _exit_reason(ctx, child.exitcode)
        if ctx.runner.stopping:  # the server is shutting down: the next start prepares again
            child.kill()
            with ctx.engine.begin() as conn:
                ops.release(conn, op.id, lease.owner)
            return None
        if time.monotonic() < next_beat:
            continue
        next_beat = time.monotonic() + beat
        try:
            lease.checkpoint(force=True)
        except LeaseLost:
            child.kill()
            log.warning("operation %s: lease lost during preparation", op.id)
            return None
        except Cancelled:
            child.kill()
            with ctx.engine.connect() as conn:
                fresh = ops.get(conn, op.id)
            cancel(ctx, fresh or op, owner=lease.owner)
            return None
        except Exception:  # the database is busy or away: the child keeps the lease too
            log.warning("operation %s: could not renew the lease", op.id, exc_info=True)


def _exit_reason(ctx: Context, code: int | None) -> str | None:
    """Why a preparation child ended, if that was a failure the child could not record."""
    if code == 0:
        return "preparation ended without a result"
    if code == EXIT_OUT_OF_MEMORY:
        return OUT_OF_MEMORY
    if code is not None and code < 0:
        if -code == signal.SIGXCPU:
            return f"preparation used more than {ctx.config.prepare_cpu_seconds} s of CPU time"
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
        return f"preparation crashed (killed by signal {-code}, {name})"
    return f"preparation crashed (exit code {code})"
