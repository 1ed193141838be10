"""The message table's bulk statements: inserts on each backend, the existence probe and the
row updates that :mod:`chatport.workspace.messages` plans.

Kept apart from the planning because this is where the backends differ (``executemany`` and a
savepoint on SQLite, ``COPY`` into a staging table on PostgreSQL) and where a million-row
import spends its database time; the rules of what to write live with the planner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, bindparam, update

from chatport.db import tables

if TYPE_CHECKING:
    from chatport.workspace.messages import EncodedRow

M = tables.messages

_READ_CHUNK: Final = 500
_STAGE: Final = "chatport_message_stage"
COLUMNS: Final = ("id", "rid", "ts", "tmid", "u_id", "hidden", "updated_at", "doc")
#: The columns of an :data:`~chatport.workspace.messages.EncodedRow`, in its order.
_ENCODED_COLUMNS: Final = ("id", "rid", "ts", "tmid", "u_id", "hidden", "doc")


def table_rows(rows: Iterable[EncodedRow], now: int) -> list[tuple[Any, ...]]:
    """Column values in :data:`COLUMNS` order."""
    return [(r[0], r[1], r[2], r[3], r[4], r[5], now, r[6]) for r in rows]


def insert_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
    if conn.dialect.name == "postgresql":
        return _insert_postgresql(conn, rows)
    return _insert_sqlite(conn, rows)


def _insert_sqlite(conn: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
    """``executemany`` insert.  SQLite writers hold the write lock for the whole transaction
    (``BEGIN IMMEDIATE``), so nothing can insert these ids between the read and this insert."""
    # Straight to the driver: the statement is fixed and the documents are already JSON,
    # which spares SQLAlchemy's per-row bind processing on the hottest path.
    raw: Any = conn.connection.driver_connection
    columns = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    raw.executemany(
        f"INSERT INTO messages ({columns}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING", rows
    )
    return {r[0] for r in rows}


_SAVEPOINT: Final = "chatport_new_messages"


def insert_all_new_sqlite(conn: Connection, rows: Sequence[EncodedRow], now: int) -> bool:
    """Insert a batch whose ids are all new, or nothing: False when any id was already stored.

    Cheaper than asking first: the insert probes the primary key anyway, and a first import
    (where every id is new) pays no separate existence query. The encoded rows are bound as
    they come, with ``updated_at`` written into the statement, so no per-row tuple is rebuilt.
    A batch that meets a stored id is rolled back to the savepoint, for the merge path.
    """
    raw: Any = conn.connection.driver_connection
    columns = ", ".join(_ENCODED_COLUMNS)
    statement = (
        f"INSERT INTO messages ({columns}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, {int(now)}) "
        "ON CONFLICT (id) DO NOTHING"
    )
    raw.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        complete = raw.executemany(statement, rows).rowcount == len(rows)
    except BaseException:
        raw.execute(f"ROLLBACK TO {_SAVEPOINT}")
        raw.execute(f"RELEASE {_SAVEPOINT}")
        raise
    if not complete:
        raw.execute(f"ROLLBACK TO {_SAVEPOINT}")
    raw.execute(f"RELEASE {_SAVEPOINT}")
    return complete


def _insert_postgresql(conn: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
    """``COPY`` into a session-local staging table, then one set-based insert.

    ``ON CONFLICT DO NOTHING ... RETURNING`` tells which rows were really new: a concurrent
    worker may have inserted one of these ids since the read (the caller re-plans those).
    """
    raw: Any = conn.connection.driver_connection
    column_list = ", ".join(COLUMNS)
    with raw.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (id text, rid text, ts bigint, "
            "tmid text, u_id text, hidden boolean, updated_at bigint, doc jsonb) "
            "ON COMMIT DELETE ROWS"
        )
        cur.execute(f"TRUNCATE {_STAGE}")
        with cur.copy(f"COPY {_STAGE} ({column_list}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        cur.execute(
            f"INSERT INTO messages ({column_list}) SELECT {column_list} FROM {_STAGE} "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        inserted = {str(r[0]) for r in cur.fetchall()}
        cur.execute(f"TRUNCATE {_STAGE}")
    return inserted


def any_existing(conn: Connection, message_ids: Sequence[str]) -> bool:
    """Whether any of these ids is stored. Asked once per import batch, so it goes straight to
    the driver with a fixed statement: SQLAlchemy's compilation of an expanding ``IN`` of 500
    values cost more than SQLite's 500 index probes."""
    raw: Any = conn.connection.driver_connection
    postgres = conn.dialect.name == "postgresql"
    for start in range(0, len(message_ids), _READ_CHUNK):
        chunk = list(message_ids[start : start + _READ_CHUNK])
        if postgres:
            with raw.cursor() as cur:
                cur.execute("SELECT 1 FROM messages WHERE id = ANY(%s) LIMIT 1", (chunk,))
                if cur.fetchone() is not None:
                    return True
            continue
        marks = ",".join("?" * len(chunk))
        cur = raw.execute(f"SELECT 1 FROM messages WHERE id IN ({marks}) LIMIT 1", chunk)
        if cur.fetchone() is not None:
            return True
    return False


def update_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    params = [
        {
            "b_id": r["id"],
            "b_ts": r["ts"],
            "b_tmid": r["tmid"],
            "b_hidden": r["hidden"],
            "b_updated_at": r["updated_at"],
            "b_doc": r["doc"],
        }
        for r in rows
    ]
    conn.execute(
        update(M)
        .where(M.c.id == bindparam("b_id"))
        .values(
            ts=bindparam("b_ts"),
            tmid=bindparam("b_tmid"),
            hidden=bindparam("b_hidden"),
            updated_at=bindparam("b_updated_at"),
            doc=bindparam("b_doc", type_=M.c.doc.type),
        ),
        params,
    )
