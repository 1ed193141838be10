"""Remove what a dead worker left in the upload store (security-reliability §4.6).

A worker killed while streaming leaves a temporary ``.part``; one killed between writing a blob
and committing the row that references it leaves an unreferenced blob. Both are deleted once
older than a lease, so nothing a live worker is about to commit can be touched (a blob is
committed right after it is written, and rewriting the same bytes refreshes its time).
"""

from __future__ import annotations

import contextlib
import logging
import time

from sqlalchemy import Engine, select

from chatport.db import tables
from chatport.workspace.upload_store import UploadStore

log = logging.getLogger("chatport.imports.pending")


def _referenced(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        found = set(conn.execute(select(tables.uploads.c.blob_sha256).distinct()).scalars())
        found |= set(conn.execute(select(tables.avatars.c.blob_sha256).distinct()).scalars())
    found.discard(None)
    return found


def remove_orphans(engine: Engine, store: UploadStore, min_age_seconds: float) -> int:
    """Delete stale temporary files and unreferenced blobs; returns how many went."""
    cutoff = time.time() - min_age_seconds
    removed = 0
    candidates = [p for p in store.temp_dir.glob("*.part") if p.is_file()]
    blobs = [p for p in (store.root / "blobs").glob("*/*") if p.is_file()]
    referenced = _referenced(engine) if blobs else set()
    candidates += [p for p in blobs if p.name not in referenced]
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    if removed:
        log.info("upload store: removed %d orphaned files", removed)
    return removed
