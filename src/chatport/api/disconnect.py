"""Running a blocking call for a request while watching whether its client is still there.

Why: a sync route runs in the thread pool and never learns that its client left; a route whose
work must stop when that happens (``downloadPublicImportFile`` before its answer, security-
reliability §1.5.8) runs the blocking part here instead and passes a callback that signals it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

T = TypeVar("T")


class _Outcome:
    value: object = None
    error: Exception | None = None


async def run_watching_client(
    request: Request, on_disconnect: Callable[[], None], fn: Callable[[], T]
) -> T:
    """Run ``fn()`` in the thread pool; call ``on_disconnect()`` if the client leaves meanwhile.

    ``on_disconnect`` runs on the event loop, at most a few times (it must be idempotent and
    quick): as soon as the server sees the connection close while ``fn`` runs, and once more if
    it has closed by the time ``fn`` returns. ``fn`` itself is never interrupted; it is up to
    the callback to make it stop. The request body must already have been read.
    """
    outcome = _Outcome()

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            continue
        on_disconnect()

    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        try:
            outcome.value = await run_in_threadpool(fn)
        except Exception as exc:
            outcome.error = exc
        group.cancel_scope.cancel()
    if await request.is_disconnected():
        on_disconnect()
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]
