"""SIGKILL-equivalent crashes in the message phase, twice in a row, then a restart: the
workspace equals an uninterrupted import's (security-reliability §5.2, §5.3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.imports.slack_fixtures import build_export
from tests.support.databases import fresh_database
from tests.support.dump import canonical_dump, digest
from tests.support.operations import latest_operation, wait_for_status
from tests.support.process import ServerProcess, cli_import


def _export() -> bytes:
    users = [
        {
            "id": f"U{i}",
            "name": f"user{i}",
            "profile": {"real_name": f"User {i}", "email": f"user{i}@x.io"},
        }
        for i in range(12)
    ]
    channels = [
        {
            "id": f"C{c}",
            "name": f"chan{c}",
            "creator": "U0",
            "created": 1500000000,
            "members": [f"U{i}" for i in range(12)],
            "is_general": c == 0,
        }
        for c in range(3)
    ]
    dms = [{"id": "D1", "members": ["U1", "U2"], "created": 1500000000}]
    files: dict[str, Any] = {"users.json": users, "channels.json": channels, "dms.json": dms}
    base = 1600000000
    for c in range(3):
        for day in range(4):
            items = []
            for n in range(100):
                ts = f"{base + day * 86400 + n}.{c:03d}100"
                item: dict[str, Any] = {
                    "type": "message",
                    "user": f"U{n % 12}",
                    "text": f"msg {n} for <@U{(n + 1) % 12}>",
                    "ts": ts,
                }
                if n % 10 == 1:
                    item["thread_ts"] = f"{base + day * 86400 + n - 1}.{c:03d}100"
                if n % 7 == 0:
                    item["reactions"] = [{"name": "tada", "users": ["U1", "U2"], "count": 2}]
                items.append(item)
            files[f"chan{c}/2020-09-{13 + day}.json"] = items
    files["D1/2020-09-13.json"] = [
        {"type": "message", "user": "U1", "text": f"dm {n}", "ts": f"{base + n}.000001"}
        for n in range(50)
    ]
    return build_export(files)


def _env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(data_dir),
        "ADMIN_PASS": "secret-pass",
        "CHATPORT_BCRYPT_ROUNDS": "4",
        "CHATPORT_IMPORT_MESSAGE_BATCH": "100",
        "CHATPORT_LEASE_SECONDS": "1",
        "CHATPORT_SWEEP_INTERVAL_SECONDS": "0.5",
        **extra,
    }


# In one process, or with day files read and converted by two child processes (any size).
MODES = {
    "one-process": {"CHATPORT_IMPORT_WORKERS": "0"},
    "child-readers": {"CHATPORT_IMPORT_WORKERS": "2", "CHATPORT_IMPORT_PARALLEL_MIN_BYTES": "0"},
}


@pytest.mark.parametrize("mode", list(MODES))
def test_two_crashes_then_resume_equals_reference(
    backend: str, database_url: str, tmp_path: Path, mode: str
) -> None:
    """The reference is always imported in one process, so the child-reader mode is also
    checked to give the very same workspace."""
    export = tmp_path / "export.zip"
    export.write_bytes(_export())
    with fresh_database(backend, tmp_path / "ref") as reference_url:
        (tmp_path / "ref").mkdir(exist_ok=True)
        done = cli_import(
            export, "slack", _env(reference_url, tmp_path / "ref-data", **MODES["one-process"])
        )
        assert done.returncode == 0, done.stdout.decode()[-2000:]
        reference = canonical_dump(reference_url)

    data_dir = tmp_path / "data"
    first = cli_import(
        export,
        "slack",
        _env(database_url, data_dir, CHATPORT_CRASH_AT="convert.after_commit:6", **MODES[mode]),
    )
    assert first.returncode == 137
    crashed = latest_operation(database_url)
    assert crashed["status"] == "importer_importing_messages"
    position = crashed["checkpoint"]["messages_pos"]

    # The restart crashes again during recovery, before its second batch commits.
    second = ServerProcess(
        database_url,
        data_dir,
        **{
            k: v
            for k, v in _env(database_url, data_dir, **MODES[mode]).items()
            if k.startswith("CHATPORT_") and k not in ("CHATPORT_DATABASE_URL", "CHATPORT_DATA_DIR")
        },
        CHATPORT_CRASH_AT="convert.before_commit:2",
    )
    second.env.pop("TEST_MODE", None)
    with open(second.log, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatport", "serve", "--port", str(second.port)],
            env=second.env,
            stdout=log,
            stderr=log,
        )
    assert proc.wait(timeout=60) == 137
    resumed_once = latest_operation(database_url)["checkpoint"]["messages_pos"]
    assert resumed_once >= position  # checkpoints never go back

    third = ServerProcess(
        database_url,
        data_dir,
        CHATPORT_LEASE_SECONDS="1",
        CHATPORT_SWEEP_INTERVAL_SECONDS="0.5",
        CHATPORT_IMPORT_MESSAGE_BATCH="100",
        **MODES[mode],
    )
    third.start()
    try:
        op = wait_for_status(database_url, "importer_done")
        assert op["status"] == "importer_done"
    finally:
        third.stop()
    count = op["doc"]["count"]
    assert count["completed"] + count["skipped"] + count["error"] == count["total"]
    resumed = canonical_dump(database_url)
    assert len(resumed["messages"]) == len(reference["messages"]) == 1250
    for section in ("users", "rooms", "subscriptions", "messages"):
        assert resumed[section] == reference[section], section
    assert digest(resumed) == digest(reference)
