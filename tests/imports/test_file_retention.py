"""Stored exports go when their operation ends, unless kept (issue defect 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.imports.slack_fixtures import zulip_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import LiveServer


def _stored(server: LiveServer) -> list[str]:
    return sorted(p.name for p in server.ctx.store.root.iterdir())


def _wait_empty(server: LiveServer, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while _stored(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _stored(server)


def test_until_done_removes_ended_and_replaced_files(
    make_server: Callable[..., LiveServer], files: FileServer
) -> None:
    server = make_server(sweep_interval_seconds=0.2)
    admin = server.admin()
    load(server, admin, files, zulip_export())
    time.sleep(0.6)  # a few sweeps: a file waiting for its selection stays
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert f"{op['_id']}.import" in _stored(server)
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    assert _wait_empty(server) == []

    load(server, admin, files, zulip_export(), path="/again.zip")
    assert admin.post("/api/v1/import.clear").json() == {"success": True}  # replaced, ended
    assert _wait_empty(server) == []


def test_keep_then_prune_from_the_command_line(
    make_server: Callable[..., LiveServer], files: FileServer, database_url: str, tmp_path: Path
) -> None:
    server = make_server(sweep_interval_seconds=0.2, import_file_retention="keep")
    admin = server.admin()
    load(server, admin, files, zulip_export())
    run_import(server, admin, EVERYTHING)
    time.sleep(0.6)
    kept = _stored(server)
    assert len({name.split(".")[0] for name in kept}) == 1  # the export (and its .proven)
    orphan = server.ctx.store.root / ("ab" * 12 + ".part")
    orphan.write_bytes(b"left by a crash")
    env = {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(tmp_path / "data"),
    }

    def chatport(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "chatport", "import-files", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    listing = chatport("list")
    assert "removable: done" in listing and "removable: no operation names it" in listing
    assert "would remove 2 files" in chatport("prune", "--dry-run")
    assert len(_stored(server)) == len(kept) + 1
    assert "removed 2 files" in chatport("prune")
    assert _stored(server) == []
    assert any(name.endswith(".import") for name in kept)
