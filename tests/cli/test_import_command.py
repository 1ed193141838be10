"""``chatport import``, ``inspect``, ``status`` and ``cancel`` as an administrator meets them in
a terminal: real processes, real exit codes (issue defects 3 and 8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from chatport.db import tables
from tests.imports.slack_fixtures import zulip_export


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(tmp_path / "data"),
        "CHATPORT_BCRYPT_ROUNDS": "4",
        "ADMIN_PASS": "admin-pass",
    }


def _chatport(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatport", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _count(database_url: str, table: sa.Table) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.zip"
    path.write_bytes(zulip_export())
    return path


def test_missing_file_and_unknown_importer(database_url: str, tmp_path: Path, export: Path) -> None:
    env = _env(database_url, tmp_path)
    missing = _chatport(env, "import", str(tmp_path / "nope.zip"), "--importer", "slack")
    assert missing.returncode == 2
    assert "no such file" in missing.stdout and "Traceback" not in missing.stderr
    assert _count(database_url, tables.import_operations) == 0
    wrong = _chatport(env, "import", str(export), "--importer", "slak")
    assert wrong.returncode == 2
    assert "unknown importer 'slak': use one of csv, slack, slack-users, hipchatenterprise" in (
        " ".join(wrong.stdout.split())
    )
    assert _count(database_url, tables.import_operations) == 0


def test_channels_by_name_and_unknown_names(
    database_url: str, tmp_path: Path, export: Path
) -> None:
    env = _env(database_url, tmp_path)
    unknown = _chatport(env, "import", str(export), "--importer", "slack", "--channels", "dev")
    assert unknown.returncode == 2
    text = " ".join(unknown.stdout.split())
    assert "unknown channels: dev" in text and "random (C061A0WJG)" in text
    assert _count(database_url, tables.messages) == 0
    status = _chatport(env, "status")
    assert status.stdout.startswith("cancelled: ")

    done = _chatport(
        env, "import", str(export), "--importer", "slack", "--channels", "#random", "--json"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "importer_done"
    assert summary["tally"]["channels"] == {"completed": 1, "error": 0, "skipped": 10}
    count = summary["count"]
    assert count["completed"] + count["skipped"] + count["error"] == count["total"]


def test_a_running_import_is_not_replaced_without_asking(
    database_url: str, tmp_path: Path, export: Path
) -> None:
    env = _env(database_url, tmp_path)
    assert _chatport(env, "db", "upgrade").returncode == 0
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        from chatport.imports import operations as ops

        ops.create(conn, key="slack", type_name="Slack", user_id="someone", now=1)
    engine.dispose()

    refused = _chatport(env, "import", str(export), "--importer", "slack")
    assert refused.returncode == 3
    assert "an import is in progress" in refused.stdout and "--replace" in refused.stdout
    assert _count(database_url, tables.import_operations) == 1

    replaced = _chatport(env, "import", str(export), "--importer", "slack", "--replace")
    assert replaced.returncode == 0, replaced.stdout


def test_cancel_and_inspect(database_url: str, tmp_path: Path, export: Path) -> None:
    env = _env(database_url, tmp_path)
    assert _chatport(env, "cancel").stdout.strip() == "no import is in progress"
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        from chatport.imports import operations as ops

        ops.create(conn, key="slack", type_name="Slack", user_id="someone", now=1)
    engine.dispose()
    cancelled = _chatport(env, "cancel")
    assert cancelled.returncode == 0 and cancelled.stdout.startswith("cancelled: ")
    assert _chatport(env, "status").stdout.startswith("cancelled: ")

    listing = _chatport(env, "inspect", str(export), "--json")
    assert listing.returncode == 0, listing.stderr
    found = json.loads(listing.stdout)
    assert found["importer"] == "slack" and found["users"] == 4
    assert {"id": "C061A0WJG", "name": "random", "type": "public", "members": 2} in found[
        "channels"
    ]
    text = _chatport(env, "inspect", str(export))
    assert "chatport import" in text.stdout and "random (C061A0WJG)" in text.stdout
    assert _chatport(env, "inspect", str(tmp_path / "nope.zip")).returncode == 2


def test_summary_counts_are_the_pages_counts(
    database_url: str, tmp_path: Path, export: Path
) -> None:
    """Issue defect 10: one definition of each count. The CLI's "in archive" column is the
    operation's count (what the prepare, progress and history pages show), and its elapsed
    time runs from importStartedAt, as on the progress page."""
    env = {**_env(database_url, tmp_path), "COLUMNS": "120"}
    done = _chatport(env, "import", str(export), "--importer", "slack")
    assert done.returncode == 0, done.stdout
    rows = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│") if c.strip()]
        if len(cells) == 5 and cells[0] in ("users", "channels", "messages", "total"):
            rows[cells[0]] = [int(c.replace(",", "")) for c in cells[1:]]
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        op = conn.execute(sa.select(tables.import_operations)).mappings().one()
    engine.dispose()
    count = op["doc"]["count"]
    assert {k: rows[k][0] for k in ("users", "channels", "messages")} == {
        k: count[k] for k in ("users", "channels", "messages")
    }
    assert rows["total"] == [count["total"], count["completed"], count["skipped"], count["error"]]
    assert "importStartedAt" in op["doc"]
    assert "Elapsed: " in done.stdout


def test_a_refused_download_says_why(database_url: str, tmp_path: Path) -> None:
    """Issue defect 5: the CLI gives the reason in words, beside Rocket.Chat's code."""
    env = _env(database_url, tmp_path)
    refused = _chatport(env, "import", "http://127.0.0.1:8765/x.zip", "--importer", "slack")
    assert refused.returncode == 2
    text = " ".join(refused.stdout.split())
    assert "error-ssrf-validation-failed" in text
    assert "port 8765 is not allowed: add 127.0.0.1:8765 to SSRF_Allowlist" in text
