"""The in-process job runner: a small thread pool plus one periodic timer.

Durable state lives in the database (operation status and leases), not here, so a dead
process loses no work: the sweep of the next process finds it by its expired lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from chatport.jobs import priority

log = logging.getLogger("chatport.jobs")


class JobRunner:
    def __init__(self, threads: int = 4, name: str = "chatport-job"):
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._stop = threading.Event()
        self._timers: list[threading.Thread] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        def guarded() -> Any:
            priority.lower(this_thread=True)  # jobs yield the CPU to requests
            try:
                return fn(*args)
            except Exception:  # a job never takes the process down
                log.exception("background job %s failed", getattr(fn, "__name__", fn))
                return None

        return self._pool.submit(guarded)

    def every(self, seconds: float, fn: Callable[[], Any], name: str) -> None:
        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    fn()
                except Exception:
                    log.exception("periodic task %s failed", name)

        thread = threading.Thread(target=loop, name=f"chatport-{name}", daemon=True)
        thread.start()
        self._timers.append(thread)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def shutdown(self, wait: bool = True) -> None:
        self._stop.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)
