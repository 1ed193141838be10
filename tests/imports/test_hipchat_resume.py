"""A HipChat import killed in the middle of the private messages resumes without duplicates.

The crash lands in the second user's history; the restart must re-read the histories before
it (without yielding them) so that the copies in the third user's history are still recognised
and dropped (security-reliability §5.2; importers §5.4).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.imports.test_hipchat_reader import build_tar, example_files, private
from tests.support.databases import fresh_database
from tests.support.dump import canonical_dump
from tests.support.operations import latest_operation, wait_for_status
from tests.support.process import ServerProcess, cli_import

pytestmark = pytest.mark.timeout(180)

_SETTINGS = {
    "CHATPORT_BCRYPT_ROUNDS": "4",
    "CHATPORT_IMPORT_MESSAGE_BATCH": "2",
    "CHATPORT_LEASE_SECONDS": "1",
    "CHATPORT_SWEEP_INTERVAL_SECONDS": "0.5",
}


def _cli(database_url: str, data_dir: Path, export: Path, **extra: str) -> int:
    env = {
        **os.environ,
        **_SETTINGS,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(data_dir),
        "ADMIN_PASS": "secret-pass",
        **extra,
    }
    return cli_import(export, "hipchatenterprise", env).returncode


def test_crash_between_private_message_batches(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    files = example_files()
    # p5 (ann to cy) is read in users/1 and again in users/3, after the checkpoint's member.
    p5 = private("p5", 1, 3, "2018-11-04T00:00:00Z 000000", "later")
    files["users/1/history.json"].append(p5)
    files["users/3/history.json"].insert(0, p5)
    export = tmp_path / "export.tar.gz"
    export.write_bytes(build_tar(files))
    with fresh_database(backend, tmp_path / "ref") as reference_url:
        assert _cli(reference_url, tmp_path / "ref-data", export) == 0
        reference = canonical_dump(reference_url)

    data_dir = tmp_path / "data"
    # Commits: users, channels, then message batches of two; the 8th is [p5, p3].
    crashed = _cli(database_url, data_dir, export, CHATPORT_CRASH_AT="convert.after_commit:8")
    assert crashed == 137
    op = latest_operation(database_url)
    assert op["status"] == "importer_importing_messages"
    assert op["checkpoint"]["messages_pos"] == [3, 0]  # users/2/history.json, first record

    restarted = ServerProcess(database_url, data_dir, **_SETTINGS)
    restarted.start()
    try:
        op = wait_for_status(database_url, "importer_done")
    finally:
        restarted.stop()
    assert op["status"] == "importer_done"
    # Counted once each: a replayed private message would be counted twice.
    count = op["doc"]["count"]
    assert {k: count[k] for k in ("completed", "skipped", "error", "total")} == {
        "completed": 19,
        "skipped": 1,
        "error": 0,
        "total": 20,
    }
    resumed = canonical_dump(database_url)
    for section in ("users", "rooms", "subscriptions", "messages"):
        assert resumed[section] == reference[section], section
