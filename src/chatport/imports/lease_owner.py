"""Who holds a lease: ``<host>-<pid>-<random>``, so a process can tell its own dead leases.

A process killed and started again on the same machine finds operations leased to an owner of
its own host whose process no longer runs: it takes them over at once instead of waiting out
the lease (two minutes by default). An owner on another host is only ever taken over when its
lease expires, since no process here can tell whether it still runs.
"""

from __future__ import annotations

import os
import socket

from chatport import ids

HOST = socket.gethostname()[:30]


def new_owner() -> str:
    return f"{HOST}-{os.getpid()}-{ids.random_id(8)}"


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_local_owner(owner: str | None, me: str) -> bool:
    """True when ``owner`` is a process of this host whose pid no longer runs. (This very pid
    under another identity is not taken: several servers may share one process, as tests do.)"""
    if not owner or owner == me:
        return False
    parts = owner.rsplit("-", 2)
    if len(parts) != 3 or parts[0] != HOST or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    return pid != os.getpid() and not _pid_running(pid)
