"""The full-text index of message text, on each database's own engine.

Kept by the database itself, never by application code: SQLite maintains an FTS5 table with
triggers on ``messages``, PostgreSQL a GIN index on ``to_tsvector('simple', doc->>'msg')``.
Either way the index changes in the very statement, hence the very transaction, that writes a
message, so every import, re-import, resumed import (and, later, delta or undo) leaves it
exact: there is no second writer to forget, and nothing to rebuild after a crash.

Both tokenise the same way for the words people search: lower-cased runs of letters and
digits, no stemming, no accent folding (PostgreSQL's ``simple`` configuration; FTS5's
``unicode61`` with ``remove_diacritics 0``), so a search finds the same messages on both.

The SQLite table is contentless (the text lives in ``messages.doc`` only) and keyed by the
message row's ``rowid``. chatport never runs ``VACUUM``, which is the one statement that could
renumber those rowids; :func:`rebuild_sqlite` re-creates the index from the messages should
an operator ever run it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, text

FTS_TABLE: Final = "messages_fts"
#: The FTS5 table and the shadow tables SQLite keeps for it: not part of ``tables.py``, so
#: migrations' schema comparison leaves them alone (:func:`outside_tables_py`).
_SQLITE_OBJECTS: Final = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config"))}
)
PG_INDEX: Final = "ix_messages_msg_fulltext"
#: How much of a message's text is indexed: PostgreSQL refuses a ``tsvector`` over 1 MB, and
#: a message may hold 1 MiB of text (``CHATPORT_IMPORT_MAX_MESSAGE_TEXT``). Both backends index
#: the same prefix so that they find the same messages.
INDEXED_CHARS: Final = 100_000
#: The indexed expression; queries must spell it exactly for PostgreSQL to use the index.
#: Everything but letters and digits becomes a space first, so that PostgreSQL's parser (which
#: would keep ``a@b.com`` or ``example.com/x`` whole) splits words where FTS5 does.
PG_DOCUMENT: Final = (
    "to_tsvector('simple'::regconfig, regexp_replace(left(coalesce(messages.doc ->> 'msg', ''), "
    f"{INDEXED_CHARS}), '[^[:alnum:]]+', ' ', 'g'))"
)

_SQLITE_MSG_NEW: Final = f"substr(json_extract(new.doc, '$.msg'), 1, {INDEXED_CHARS})"
_SQLITE_MSG_OLD: Final = f"substr(json_extract(old.doc, '$.msg'), 1, {INDEXED_CHARS})"

#: Messages without text (joins, files, pins) are not indexed: each FTS5 row costs ~25 us of
#: the single writer's time whatever its length, and an empty text matches nothing anyway.
#: The delete and update triggers mirror the condition exactly, as a contentless table needs.
_HAS_NEW: Final = f"coalesce({_SQLITE_MSG_NEW}, '') != ''"
_HAS_OLD: Final = f"coalesce({_SQLITE_MSG_OLD}, '') != ''"
_INSERT_NEW: Final = (
    f"INSERT INTO {FTS_TABLE}(rowid, msg) SELECT new.rowid, {_SQLITE_MSG_NEW} WHERE {_HAS_NEW}"
)
_DELETE_OLD: Final = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, msg) "
    f"SELECT 'delete', old.rowid, {_SQLITE_MSG_OLD} WHERE {_HAS_OLD}"
)

_SQLITE_CREATE: Final = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(msg, content='', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN {_HAS_NEW} "
    f"BEGIN {_INSERT_NEW}; END",
    f"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN {_HAS_OLD} "
    f"BEGIN {_DELETE_OLD}; END",
    # Only when the text changed: pins, thread counts and downloaded files rewrite documents
    # by the thousand without touching ``msg``.
    f"CREATE TRIGGER messages_fts_update AFTER UPDATE OF doc ON messages "
    f"WHEN {_SQLITE_MSG_OLD} IS NOT {_SQLITE_MSG_NEW} "
    f"BEGIN {_DELETE_OLD}; {_INSERT_NEW}; END",
)
_SQLITE_DROP: Final = (
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def outside_tables_py(name: str | None, type_: str, _parent: object = None) -> bool:
    """Alembic's ``include_name`` filter, negated: the index's own objects, which ``tables.py``
    does not describe (the FTS5 tables, the expression index)."""
    return (type_ == "table" and name in _SQLITE_OBJECTS) or (type_ == "index" and name == PG_INDEX)


def create(conn: Connection) -> None:
    """Create the index and index every stored message (migration 0006)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON messages USING gin ({PG_DOCUMENT})")
        )
        return
    for statement in _SQLITE_CREATE:
        conn.execute(text(statement))
    _fill_sqlite(conn)


def settle(conn: Connection) -> None:
    """After an import's writes (PostgreSQL): merge the GIN index's pending list, which every
    search would otherwise scan, and refresh the planner's statistics, without which it
    cannot tell a rare word (read the index) from a common one (walk the room by ``ts``).
    Both run inside a transaction, unlike ``VACUUM``. SQLite needs neither."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(f"SELECT gin_clean_pending_list('{PG_INDEX}'::regclass)"))
    conn.execute(text("ANALYZE messages"))


def drop(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"DROP INDEX IF EXISTS {PG_INDEX}"))
        return
    for statement in _SQLITE_DROP:
        conn.execute(text(statement))


def _fill_sqlite(conn: Connection) -> None:
    conn.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, msg) "
            f"SELECT rowid, substr(json_extract(doc, '$.msg'), 1, {INDEXED_CHARS}) FROM messages "
            f"WHERE coalesce(json_extract(doc, '$.msg'), '') != ''"
        )
    )


def rebuild_sqlite(conn: Connection) -> None:
    """Index every message afresh (after an operator's ``VACUUM``; see the module docstring)."""
    conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    _fill_sqlite(conn)
