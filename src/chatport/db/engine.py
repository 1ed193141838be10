"""Engine construction for SQLite (embedded default) and PostgreSQL.

SQLite gets WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for the transactions
of ``engine.begin()`` (writes) while ``engine.connect()`` (reads) stays deferred.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

# A tuple, not ``int | float``: a union is built anew at every call (once per JSON value read).
_NUMBERS = (int, float)
SQLITE_CACHE_KIB = 32 * 1024
#: Page size of a new database file (an existing file keeps its own). A message row with its
#: JSON document is ~400 bytes: with 8 KiB pages a bulk import splits and rewrites fewer
#: B-tree pages than with SQLite's 4 KiB default (about 15 % less time per 1M-row import).
SQLITE_PAGE_SIZE = 8192
#: WAL pages before an automatic checkpoint (SQLite's default is 1,000). Every checkpoint
#: copies the index pages a batch touched back into the database; a bulk import touches the
#: same pages batch after batch, so checkpointing ten times less often copies them ten times
#: less often. The WAL file may grow to about 80 MB.
SQLITE_WAL_AUTOCHECKPOINT = 10_000


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _json_loads(value: Any) -> Any:
    """SQLite gives JSON columns NUMERIC affinity: a stored ``5`` comes back as an int."""
    if isinstance(value, _NUMBERS):
        return value
    return orjson.loads(value)


_WRITE_OPTION = "chatport_write"


class _FairLock:
    """First come, first served: SQLite's busy handler is not fair, so a writer that commits
    and begins again in a loop (an import) would starve every other writer of the process
    (an admin's ``import.clear``). Writers of this process queue here in arrival order."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()

    @contextmanager
    def held(self) -> Iterator[None]:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            while self._queue[0] is not ticket:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._queue.popleft()
                self._cond.notify_all()


def _writing_begin(engine: Engine) -> Callable[[], AbstractContextManager[Connection]]:
    """``engine.begin()`` on SQLite: a transaction that takes the write lock up front.

    Writers queue on the busy timeout instead of failing when a deferred transaction tries to
    upgrade after another commit (SQLITE_BUSY_SNAPSHOT). Reads through ``engine.connect()``
    stay deferred, so in WAL mode they never wait for an import's write batches.
    """

    fair = _FairLock()

    @contextmanager
    def begin() -> Iterator[Connection]:
        with fair.held(), engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    return begin


def make_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=_json_loads,
            connect_args={"check_same_thread": False, "timeout": 60, "isolation_level": None},
            pool_size=8,
            max_overflow=16,
        )
        synchronous = sqlite_synchronous.upper()
        if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"invalid sqlite_synchronous {sqlite_synchronous!r}")

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # Only takes effect on a new, empty file, so it must come before the WAL switch
            # (which writes the header).
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            # SQLite's default page cache is 2 MB; a message table of a million rows has four
            # indexes whose pages an import touches all over, so a bigger cache saves re-reads.
            # It grows only as used (and is per connection, hence not larger).
            cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get(_WRITE_OPTION):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        engine.begin = _writing_begin(engine)  # type: ignore[method-assign,assignment]
        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=_json_loads,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
    )


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
