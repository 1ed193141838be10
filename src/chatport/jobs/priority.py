"""Background work yields the CPU to people reading: imports run at a lower priority.

An import keeps every core busy for minutes; the read API answers people. On Linux the nice
value is per thread, so the server's job threads, the import's child processes and the
``chatport import`` command each lower their own priority to ``CHATPORT_IMPORT_NICE``
(default 10; 0 keeps full priority). Lowering only: a process already nicer stays so.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Final

DEFAULT_NICE: Final = 10
_ENV: Final = "CHATPORT_IMPORT_NICE"


def configured_nice() -> int:
    try:
        return max(0, min(19, int(os.environ.get(_ENV, DEFAULT_NICE))))
    except ValueError:
        return DEFAULT_NICE


def lower(nice: int | None = None, *, this_thread: bool = False) -> None:
    """Lower the priority of this process (or only this thread) to ``nice``."""
    wanted = configured_nice() if nice is None else nice
    if wanted <= 0:
        return
    who = threading.get_native_id() if this_thread else 0
    with contextlib.suppress(OSError, AttributeError):
        if os.getpriority(os.PRIO_PROCESS, who) < wanted:
            os.setpriority(os.PRIO_PROCESS, who, wanted)
