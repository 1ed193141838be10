"""The import operation as the database holds it, read behind the server's back.

Crash tests kill the process that would answer ``getImportProgress``, so they read the newest
operation row directly: its status, checkpoint and document.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from chatport.db import tables


def latest_operation(database_url: str) -> dict[str, Any]:
    """The newest import operation row (its columns by name); there must be one."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(tables.import_operations).order_by(
                        tables.import_operations.c.seq.desc()
                    )
                )
                .mappings()
                .first()
            )
    finally:
        engine.dispose()
    assert row is not None
    return dict(row)


def wait_for_status(
    database_url: str, status: str = "importer_done", timeout: float = 60
) -> dict[str, Any]:
    """The newest operation once it reaches ``status``, or as it is when ``timeout`` ends (the
    caller asserts on it, so a timeout fails with the status it stopped at)."""
    deadline = time.monotonic() + timeout
    op = latest_operation(database_url)
    while op["status"] != status and time.monotonic() < deadline:
        time.sleep(0.3)
        op = latest_operation(database_url)
    return op
