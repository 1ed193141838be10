"""Wall-clock bounds that socket timeouts alone cannot give.

Why: urllib3 and the socket layer time out per operation, so a peer sending one byte every 59 s
never trips a 60 s timer (security-reliability §1.5.3). ``Deadline`` is chatport's own clock for
the whole download, checked between reads; ``Watchdog`` is the backstop that shuts the socket
down from another thread when a phase overruns *inside* one blocking call (a trickled TLS
handshake, header block or chunk-size line).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable


class Deadline:
    """A point in time on the injected clock, fixed when the first request starts."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self._clock = clock
        self._at = clock() + seconds

    def remaining(self) -> float:
        return self._at - self._clock()

    def expired(self) -> bool:
        return self.remaining() <= 0


def abort_socket(sock: socket.socket | None) -> None:
    """Shut a socket down so a read blocked on it in another thread returns at once.

    The base-class ``shutdown`` is called directly so that an ``SSLSocket``'s TLS state is not
    touched from this thread; only the file descriptor is shut down.
    """
    if sock is None:
        return
    with contextlib.suppress(OSError, ValueError, TypeError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watchdog:
    """Calls ``abort`` once if not disarmed within the armed number of seconds."""

    def __init__(self, abort: Callable[[], None]) -> None:
        self._abort = abort
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._fired = False

    @property
    def fired(self) -> bool:
        return self._fired

    def arm(self, seconds: float) -> None:
        """(Re)start the countdown; a non-positive budget aborts immediately."""
        self.disarm()
        if seconds <= 0:
            self._fire()
            return
        timer = threading.Timer(seconds, self._fire)
        timer.daemon = True
        timer.name = "chatport-fetch-watchdog"
        with self._lock:
            self._timer = timer
        timer.start()

    def disarm(self) -> None:
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _fire(self) -> None:
        self._fired = True
        self._abort()


class Abort:
    """A stop signal another thread raises: it shuts down every socket registered with it.

    Why: a fetch blocked in its TLS handshake, its header read or a body read cannot poll a
    flag, so the signal reaches it the way the watchdog does, by shutting the socket down
    (security-reliability §1.5.8). The flag is set before any hook runs, so a reader woken by
    the shutdown always sees it and never mistakes the cut for the end of the body.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._hooks: list[Callable[[], None]] = []

    @property
    def is_set(self) -> bool:
        return self._set

    def on_abort(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the signal is raised, or at once if it already was."""
        with self._lock:
            if not self._set:
                self._hooks.append(hook)
                return
        with contextlib.suppress(Exception):
            hook()

    def set(self) -> None:
        """Raise the signal (idempotent, any thread); hooks run in registration order."""
        with self._lock:
            if self._set:
                return
            self._set = True
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            with contextlib.suppress(Exception):
                hook()
