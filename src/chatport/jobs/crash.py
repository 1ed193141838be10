"""Deterministic crash points for kill -9 tests (security-reliability §5.3).

``CHATPORT_CRASH_AT=<point>:<n>`` ends the process with ``os._exit(137)`` (no cleanup, like a
SIGKILL) at the n-th arrival at ``point``. Inert when unset.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("chatport.crash")
_lock = threading.Lock()
_arrivals: dict[str, int] = {}


def _target() -> tuple[str, int] | None:
    raw = os.environ.get("CHATPORT_CRASH_AT", "")
    if not raw:
        return None
    point, _, count = raw.rpartition(":")
    return (point, int(count)) if point and count.isdigit() else (raw, 1)


def warn_if_armed() -> None:
    target = _target()
    if target:
        log.warning("CHATPORT_CRASH_AT is set: the process will exit at %s #%d", *target)


def point(name: str) -> None:
    target = _target()
    if target is None or target[0] != name:
        return
    with _lock:
        _arrivals[name] = _arrivals.get(name, 0) + 1
        if _arrivals[name] == target[1]:
            os._exit(137)
