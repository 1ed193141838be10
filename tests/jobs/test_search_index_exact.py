"""The full-text index stays exact: a re-import of the same export, and an import killed with
SIGKILL mid-way then resumed, leave it equal to a fresh import's (issue 13), read from the
index itself (``tests.support.dump.search_index_dump``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chatport.db import tables
from tests.imports.slack_fixtures import build_export
from tests.support.databases import fresh_database
from tests.support.dump import canonical_dump
from tests.support.operations import latest_operation, wait_for_status
from tests.support.process import ServerProcess, cli_import

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


def _export() -> bytes:
    users = [{"id": f"U{n}", "name": f"u{n}", "profile": {"email": f"u{n}@x.io"}} for n in range(4)]
    channels = [
        {"id": "C1", "name": "dev", "members": ["U0", "U1"], "created": 1500000000},
        {"id": "C2", "name": "ops", "members": ["U2", "U3"], "created": 1500000000},
    ]
    files: dict[str, Any] = {"users.json": users, "channels.json": channels}
    for channel in ("dev", "ops"):
        for day in range(1, 16):
            files[f"{channel}/2020-01-{day:02d}.json"] = [
                {
                    "type": "message",
                    "user": f"U{i % 4}",
                    "text": f"{WORDS[i % 8]} {WORDS[(i * day) % 8]}-{i} café day{day} <@U{i % 4}>",
                    "ts": f"{1577836800 + day * 86400 + i}.{0 if channel == 'dev' else 1:06d}",
                }
                for i in range(100)
            ]
    return build_export(files)


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(data_dir),
        "CHATPORT_BCRYPT_ROUNDS": "4",
        "CHATPORT_IMPORT_MESSAGE_BATCH": "20",
        "CHATPORT_IMPORT_WORKERS": "0",
        "CHATPORT_LEASE_SECONDS": "1",
        "CHATPORT_SWEEP_INTERVAL_SECONDS": "0.5",
    }


def _stored_messages(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(tables.messages)).scalar_one()
            )
    except sa.exc.SQLAlchemyError:  # not migrated yet
        return 0
    finally:
        engine.dispose()


def test_reimport_and_killed_import_leave_the_index_of_a_fresh_import(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    export = tmp_path / "export.zip"
    export.write_bytes(_export())
    with fresh_database(backend, tmp_path / "ref") as reference_url:
        (tmp_path / "ref").mkdir(exist_ok=True)
        env = _env(reference_url, tmp_path / "ref-data")
        assert cli_import(export, "slack", env).returncode == 0
        reference = canonical_dump(reference_url)
        assert cli_import(export, "slack", env).returncode == 0  # the same export again
        reimported = canonical_dump(reference_url)
    search = reference["search"]
    assert len(reference["messages"]) == 3000
    assert len(search["alpha"]) > 300 and len(search["day7"]) == 200
    assert "café" in search and "cafe" not in search  # accents kept, on both backends
    assert reimported["search"] == search
    assert reimported["messages"] == reference["messages"]

    data_dir = tmp_path / "data"
    env = _env(database_url, data_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatport", "import", str(export), "--importer", "slack"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if _stored_messages(database_url) >= 200:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    assert latest_operation(database_url)["status"] == "importer_importing_messages"

    restarted = ServerProcess(
        database_url,
        data_dir,
        CHATPORT_LEASE_SECONDS="1",
        CHATPORT_SWEEP_INTERVAL_SECONDS="0.5",
        CHATPORT_IMPORT_MESSAGE_BATCH="20",
    )
    restarted.start()
    try:
        assert wait_for_status(database_url, "importer_done")["status"] == "importer_done"
    finally:
        restarted.stop()
    resumed = canonical_dump(database_url)
    assert resumed["messages"] == reference["messages"]
    assert resumed["search"] == search
