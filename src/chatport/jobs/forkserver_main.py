"""Imported by the forkserver (``processes.PRELOAD``): the parent's main script, imported once.

Every child of a forkserver imports its parent's main script unless the forkserver already has
(as ``spawn`` does in every child). ``set_forkserver_preload(["__main__"])`` is meant to do
that, but CPython 3.11 and 3.12 never hand the forkserver the script's path (they look for a
``main_path`` key that ``get_preparation_data`` names ``init_main_from_path``), so each child
would import ``pytest`` or the ``chatport`` console script's imports again: most of a second.
:func:`chatport.jobs.processes.context` passes the path in :data:`MAIN_ENV` instead.
"""

from __future__ import annotations

import os
from multiprocessing import process, spawn

MAIN_ENV = "CHATPORT_FORKSERVER_MAIN"


def _import_main() -> None:
    path = os.environ.pop(MAIN_ENV, "")
    if not path:
        return
    current = process.current_process()
    current._inheriting = True  # type: ignore[attr-defined]  # as the forkserver itself does
    try:
        spawn.import_main_path(path)
    finally:
        del current._inheriting  # type: ignore[attr-defined]


_import_main()
