"""Failed-login throttling per user and per IP, kept in the database.

Counting in the database (not memory) makes the block hold across processes and restarts.
The key for a user is the identifier as typed, so unknown and known users are throttled alike
and the answer never reveals which exist.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from chatport.db import tables
from chatport.db.dialect import insert

F = tables.login_failures


def is_blocked(conn: Connection, key: str, now: int) -> bool:
    row = conn.execute(select(F.c.blocked_until).where(F.c.key == key)).first()
    return bool(row and row[0] and row[0] > now)


def record_failure(conn: Connection, key: str, limit: int, block_ms: int, now: int) -> None:
    row = conn.execute(select(F).where(F.c.key == key)).first()
    if row is None or now - row.window_start > block_ms or (row.blocked_until or 0) > 0:
        if row is not None and (row.blocked_until or 0) > now:
            return
        failures, window_start = 1, now
    else:
        failures, window_start = row.failures + 1, row.window_start
    blocked_until = now + block_ms if failures >= limit else None
    values = {
        "key": key,
        "failures": 0 if blocked_until else failures,
        "window_start": window_start,
        "blocked_until": blocked_until,
    }
    conn.execute(
        insert(conn, F)
        .values(values)
        .on_conflict_do_update(
            index_elements=["key"], set_={k: v for k, v in values.items() if k != "key"}
        )
    )


def clear(conn: Connection, key: str) -> None:
    conn.execute(F.delete().where(F.c.key == key))
