"""The bare limit of a Slack import: unzip, parse, one SQLite row per message.

``python -m benchmarks.baseline EXPORT.zip --db baseline.db [--batch 5000] [--json]``

No importer can do less and still land the messages in a database: it opens the zip, reads
``users.json`` and the conversation files (parsed, not stored), then reads every
``<folder>/<YYYY-MM-DD>.json`` day file whole, ``json.loads`` it (the standard library's C
parser) and inserts one ``(id, channel, ts, text)`` row per array element into a fresh SQLite
file, with ``executemany`` in batches of ``--batch`` rows, one transaction per batch. The
database runs with ``journal_mode=WAL`` and ``synchronous=FULL``, chatport's SQLite default
(``CHATPORT_SQLITE_SYNCHRONOUS``), so each commit pays the same fsync chatport's commits pay.

What it leaves out is exactly chatport's work: safe-zip metering, validation, mrkdwn
conversion, mentions, users, rooms, subscriptions, staging, checkpoints, threads, reactions,
files and finishing. The runner compares chatport's end-to-end time against this one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

_DAY_FILE = re.compile(r"(?:.*/)?([^/]+)/\d{4}-\d{2}-\d{2}\.json")
_TOP_LEVEL = ("users.json", "channels.json", "groups.json", "mpims.json", "dms.json")

_SCHEMA = """
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    text TEXT NOT NULL
)
"""


def _connect(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(_SCHEMA)
    return db


def _flush(db: sqlite3.Connection, rows: list[tuple[str, str, str, str]]) -> None:
    db.execute("BEGIN")
    db.executemany("INSERT INTO messages (id, channel, ts, text) VALUES (?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    rows.clear()


def run(
    export: str | os.PathLike[str], db_path: str | os.PathLike[str], batch: int = 5000
) -> dict[str, Any]:
    """Load ``export`` into a fresh ``db_path``; returns counts and timings."""
    started = time.perf_counter()
    db = _connect(Path(db_path))
    messages = 0
    day_files = 0
    rows: list[tuple[str, str, str, str]] = []
    with zipfile.ZipFile(export) as archive:
        names = sorted(archive.namelist())
        for name in names:
            if name.rsplit("/", 1)[-1] in _TOP_LEVEL:
                json.loads(archive.read(name))
        for name in names:
            match = _DAY_FILE.fullmatch(name)
            if match is None:
                continue
            channel = match.group(1)
            day_files += 1
            for element in json.loads(archive.read(name)):
                ts = str(element.get("ts", ""))
                text = element.get("text")
                rows.append(
                    (
                        f"slack-{channel}-{ts.replace('.', '-')}",
                        channel,
                        ts,
                        text if isinstance(text, str) else "",
                    )
                )
                messages += 1
                if len(rows) >= batch:
                    _flush(db, rows)
    if rows:
        _flush(db, rows)
    db.close()
    seconds = time.perf_counter() - started
    return {
        "messages": messages,
        "day_files": day_files,
        "seconds": seconds,
        "messages_per_second": messages / seconds if seconds > 0 else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.baseline", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("export", help="a Slack export zip")
    parser.add_argument("--db", required=True, help="the SQLite file to (re)create")
    parser.add_argument(
        "--batch",
        type=int,
        default=5000,
        help="rows per transaction (chatport's import_message_batch)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.batch < 1:
        parser.error("--batch must be >= 1")
    result = run(args.export, args.db, args.batch)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"baseline: {result['messages']} messages from {result['day_files']} day files in "
            f"{result['seconds']:.2f} s ({result['messages_per_second']:,.0f}/s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
