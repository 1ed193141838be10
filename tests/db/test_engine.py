"""What the engine and the migrations leave in a database: SQLite's page size and checkpoint
interval, and the thread index that covers replies only (both backends)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from chatport.db.engine import SQLITE_PAGE_SIZE, SQLITE_WAL_AUTOCHECKPOINT, make_engine
from chatport.db.migrate import upgrade


def test_a_new_sqlite_file_gets_big_pages_and_a_longer_checkpoint_interval(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    upgrade(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == SQLITE_PAGE_SIZE
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        interval = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert interval == SQLITE_WAL_AUTOCHECKPOINT
    eng.dispose()


def test_an_existing_sqlite_file_keeps_its_page_size(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (x)")
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
    eng.dispose()


def test_the_thread_index_holds_replies_only(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_messages_tmid_ts'")
            ).scalar()
            plan = " ".join(
                str(r[-1])
                for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE tmid = 'x' ORDER BY ts"
                )
            )
            assert "ix_messages_tmid_ts" in plan
        else:
            sql = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_messages_tmid_ts'")
            ).scalar()
    assert sql is not None
    assert "tmid IS NOT NULL" in sql.replace("(", "").replace(")", "")
