"""Failed-login throttling per user and per IP, kept in the database.

Counting in the database (not memory) makes the block hold across processes and restarts.

An attempt is counted *before* its password is checked (:func:`acquire`) and the count is
taken back only when it succeeds (:func:`release` / :func:`clear`).  Counting afterwards would
let a client that sends many attempts at once have all of them checked before the first failure
is recorded; reserving first means at most ``limit`` guesses per window, however parallel.

Keys are opaque strings chosen by the caller (see ``Accounts.login``); they are stored as a
SHA-256 digest, so a login name of any length fits the column and identifiers typed by clients
(sometimes a password typed into the wrong field) are never kept in clear.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, select, update

from chatport.db import tables
from chatport.db.dialect import insert

F = tables.login_failures


_RETRIES = 20


def _stored(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def acquire(conn: Connection, key: str, limit: int, block_ms: int, now: int) -> bool:
    """Count one attempt for ``key``; False (nothing counted) when the key may not try now.

    Refused while blocked, and while ``limit`` attempts are already counted in the window
    (failed ones and ones still being checked).  A window older than ``block_ms``, or an
    expired block, starts afresh.
    """
    stored = _stored(key)
    row = None
    # A concurrent success may delete the row between our insert and our read (PostgreSQL,
    # read committed): insert again then. Each retry means another attempt finished.
    for _ in range(_RETRIES):
        conn.execute(
            insert(conn, F)
            .values(key=stored, failures=0, window_start=now, blocked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        # Serialise attempts on one key (SQLite transactions already hold the write lock).
        row = conn.execute(select(F).where(F.c.key == stored).with_for_update()).first()
        if row is not None:
            break
    if row is None:
        raise RuntimeError("login throttle: the attempt row keeps disappearing")
    if row.blocked_until is not None and row.blocked_until > now:
        return False
    failures, window_start = row.failures, row.window_start
    if row.blocked_until is not None or now - window_start >= block_ms:
        failures, window_start = 0, now
    allowed = failures < limit
    if allowed:
        failures += 1
    conn.execute(
        update(F)
        .where(F.c.key == stored)
        .values(failures=failures, window_start=window_start, blocked_until=None)
    )
    return allowed


def fail(conn: Connection, key: str, limit: int, block_ms: int, now: int) -> None:
    """The counted attempt failed: it stays counted, and ``limit`` of them start a block."""
    stored = _stored(key)
    row = conn.execute(select(F).where(F.c.key == stored).with_for_update()).first()
    if row is None or (row.blocked_until is not None and row.blocked_until > now):
        return
    if row.failures >= limit:
        conn.execute(update(F).where(F.c.key == stored).values(blocked_until=now + block_ms))


def release(conn: Connection, key: str) -> None:
    """The counted attempt succeeded: take it back (the IP's other failures stay)."""
    stored = _stored(key)
    conn.execute(
        update(F).where(F.c.key == stored, F.c.failures > 0).values(failures=F.c.failures - 1)
    )


def clear(conn: Connection, key: str) -> None:
    """Forget every failure of ``key`` (a user who logged in successfully)."""
    conn.execute(F.delete().where(F.c.key == _stored(key)))


def blocked_until(conn: Connection, key: str, now: int) -> int | None:
    """When the block on ``key`` ends, if it is blocked now."""
    row = conn.execute(select(F.c.blocked_until).where(F.c.key == _stored(key))).first()
    return int(row[0]) if row and row[0] and row[0] > now else None


def is_blocked(conn: Connection, key: str, now: int) -> bool:
    row = conn.execute(select(F.c.blocked_until).where(F.c.key == _stored(key))).first()
    return bool(row and row[0] and row[0] > now)
