"""``auto_download_pending_files``: start pending files once a Slack import is done.

Why wait for ``importer_done`` instead of starting from finishing: starting an operation
invalidates the current one (rest-api §3.3), which would cancel the import that is finishing.
The waiter polls the finished operation briefly and starts only if that import is still the
current operation, so it never replaces something an admin started meanwhile.
"""

from __future__ import annotations

import logging
import time

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import registry as reg
from chatport.imports import steps

log = logging.getLogger("chatport.imports.pending")


def schedule_after(ctx: Context, op_id: str) -> None:
    if ctx.config.auto_download_pending_files:
        ctx.runner.submit(start_when_done, ctx, op_id)


def start_when_done(ctx: Context, op_id: str, timeout: float = 60.0) -> bool:
    from chatport.imports.pending import start_pending

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not ctx.runner.stopping:
        with ctx.engine.connect() as conn:
            op = ops.get(conn, op_id)
        if op is None or op.status in (steps.ERROR, steps.CANCELLED):
            return False
        if op.status == steps.DONE:
            break
        time.sleep(0.05)
    else:
        return False
    entry = ctx.registry.get(reg.PENDING_FILES)
    if entry is None:
        return False
    with ctx.engine.begin() as conn:
        current = ops.current(conn)
        if current is None or current.id != op_id:
            return False
        pending_op = ops.create(
            conn, key=entry.key, type_name=entry.name, user_id=op.user_id, now=ctx.clock.now_ms()
        )
    count = start_pending(ctx, pending_op, from_status=steps.PREPARING_STARTED)
    log.info("operation %s: pending files started automatically (%d items)", op_id, count)
    return True
