"""Child processes: started from a forkserver, bounded by resource limits, killed as a group.

A server process has threads (the HTTP loop, the job pool, the sweep timer), so ``fork`` would
copy their locks. ``spawn`` is safe but starts a fresh interpreter that imports chatport again
for every child (most of a second). A *forkserver* is started once per process, with the
modules children need already imported (:data:`PRELOAD`, and the main script: see
:mod:`chatport.jobs.forkserver_main`); each child is then a ``fork`` of that single-threaded
server: safe and cheap (about 15 ms instead of 0.6 to 0.9 s). Where the platform has no
forkserver, ``spawn``.

A forkserver child starts from the forkserver's state, not its parent's: :func:`start` hands
the parent's current environment over, so a child sees what a spawned one would.

``start(..., limits=Limits(...))`` puts the child in its own process group, sets
``RLIMIT_CPU`` and ``RLIMIT_AS`` there (inherited by anything it starts) and no core files; the
child dies with its parent (a pipe it watches closes). :meth:`Child.kill` kills the group.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import spawn
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any

from chatport.jobs import priority
from chatport.jobs.forkserver_main import MAIN_ENV

#: Imported once by the forkserver, so children start with them loaded.
PRELOAD = [
    "chatport.jobs.forkserver_main",
    "chatport.imports.prepare_child",
    "chatport.imports.slack_member_work",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
]

#: A child whose parent died ends with this status (it was never going to be read).
EXIT_ORPHANED = 70

_lock = threading.Lock()
_context: BaseContext | None = None
_started: set[Child] = set()  # children of start() not yet closed


def context() -> BaseContext:
    """This process's multiprocessing context (created on first use)."""
    global _context
    with _lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = _start_forkserver()
            else:  # pragma: no cover - not on Linux
                _context = multiprocessing.get_context("spawn")
        return _context


def warm_up() -> None:
    """Start the forkserver now, in the background: its imports (about a second of CPU) then
    overlap the caller's own start-up instead of delaying its first child."""
    threading.Thread(target=context, name="chatport-forkserver-warm-up", daemon=True).start()


def _start_forkserver() -> BaseContext:
    """The forkserver context, its server started now with :data:`PRELOAD` and our main."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    main = spawn.get_preparation_data("chatport").get("init_main_from_path")
    if main:
        os.environ[MAIN_ENV] = main
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        os.environ.pop(MAIN_ENV, None)
    return forkserver


@dataclass(frozen=True)
class Limits:
    """Resource limits for a child; 0 means unlimited."""

    cpu_seconds: int = 0
    memory_bytes: int = 0


def _lower(kind: int, soft: int, hard: int | None = None) -> None:
    _old_soft, old_hard = resource.getrlimit(kind)
    if old_hard != resource.RLIM_INFINITY:
        soft = min(soft, old_hard)
        hard = old_hard if hard is None else min(hard, old_hard)
    resource.setrlimit(kind, (soft, old_hard if hard is None else hard))


def _watch_parent(alive: Connection) -> None:
    """Block until the parent's end of ``alive`` closes, then end this process group."""
    with contextlib.suppress(EOFError, OSError):
        alive.recv()
    try:
        os.killpg(0, signal.SIGKILL)
    finally:
        os._exit(EXIT_ORPHANED)


def _bootstrap(
    environ: dict[str, str],
    limits: Limits | None,
    alive: Connection | None,
    target: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    if os.environ != environ:
        os.environ.clear()
        os.environ.update(environ)
    priority.lower()
    if limits is not None:
        os.setpgid(0, 0)
        _lower(resource.RLIMIT_CORE, 0, 0)
        if limits.cpu_seconds > 0:
            # SIGXCPU at the soft limit; the hard limit (SIGKILL) if that is ignored.
            _lower(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 5)
        if limits.memory_bytes > 0:
            _lower(resource.RLIMIT_AS, limits.memory_bytes)
    if alive is not None:
        threading.Thread(target=_watch_parent, args=(alive,), daemon=True).start()
    target(*args)


class Child:
    """A started child process, as its parent sees it."""

    def __init__(self, process: Any, alive: Connection | None, group: bool) -> None:
        self._process = process
        self._alive = alive
        self._group = group
        self.pid = int(process.pid)
        self.exitcode: int | None = None  # once ended; ``-N`` for a signal ``N``

    def wait(self, timeout: float | None) -> bool:
        """Whether the child ended within ``timeout`` seconds."""
        if self.exitcode is not None:
            return True
        if not wait([self._process.sentinel], timeout):
            return False
        self._process.join(timeout=5)
        self.exitcode = self._process.exitcode
        return True

    def kill(self) -> None:
        """SIGKILL the child (its whole group when it has one) and wait for it."""
        if self.exitcode is not None:
            return
        if self._group:
            with contextlib.suppress(ProcessLookupError):  # not its own group yet, or ended
                os.killpg(self.pid, signal.SIGKILL)
        if self._process.exitcode is None:
            self._process.kill()
        self._process.join(timeout=10)
        self.exitcode = self._process.exitcode

    def close(self) -> None:
        """Forget the child (killing it if it still runs); the parent-death pipe closes."""
        if self.exitcode is None:
            self.kill()
        if self._alive is not None:
            self._alive.close()
            self._alive = None
        with contextlib.suppress(ValueError):  # still running after all: leave it to the GC
            self._process.close()
        with _lock:
            _started.discard(self)


def process(target: Callable[..., Any], args: tuple[Any, ...], *, name: str, daemon: bool) -> Any:
    """An unstarted ``multiprocessing`` process of :func:`context`, with this environment."""
    return context().Process(  # type: ignore[attr-defined]
        target=_bootstrap,
        args=(dict(os.environ), None, None, target, args),
        name=name,
        daemon=daemon,
    )


def start(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    name: str,
    daemon: bool = False,
    limits: Limits | None = None,
) -> Child:
    """Run ``target(*args)`` in a child process.

    With ``limits`` the child gets its own process group (so :meth:`Child.kill` takes what it
    started too), the limits, and dies when this process does. A child that starts children of
    its own must not be a daemon (multiprocessing forbids it).
    """
    ctx = context()
    alive_child: Connection | None = None
    alive_parent: Connection | None = None
    if limits is not None:
        alive_child, alive_parent = ctx.Pipe(duplex=False)
    process = ctx.Process(  # type: ignore[attr-defined]
        target=_bootstrap,
        args=(dict(os.environ), limits, alive_child, target, args),
        name=name,
        daemon=daemon,
    )
    try:
        process.start()
    except BaseException:
        if alive_parent is not None:
            alive_parent.close()
        raise
    finally:
        if alive_child is not None:
            alive_child.close()  # the child holds the only reading end now
    child = Child(process, alive_parent, limits is not None)
    with _lock:
        _started.add(child)
    return child


def started_pids() -> list[int]:
    """The children of :func:`start` this process has not closed yet."""
    with _lock:
        return sorted(child.pid for child in _started)
