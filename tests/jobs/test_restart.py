"""A server killed with SIGKILL mid-download, then restarted: nothing stays "running"."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from tests.support.fileserver import FileServer, Route
from tests.support.process import ServerProcess


def test_killed_mid_download_ends_failed_after_restart(
    database_url: str, tmp_path: Path, files: FileServer
) -> None:
    data_dir = tmp_path / "data"
    files.routes["/big.zip"] = Route(body=b"z" * 4000, chunk=100, delay=0.25)
    env = {
        "CHATPORT_SSRF_ALLOWLIST": f"127.0.0.1:{files.port}",
        "CHATPORT_LEASE_SECONDS": "2",
        "CHATPORT_SWEEP_INTERVAL_SECONDS": "0.5",
    }
    first = ServerProcess(database_url, data_dir, **env)
    first.start()
    try:
        headers = first.admin_headers()
        r = httpx.post(
            f"{first.base_url}/api/v1/downloadPublicImportFile",
            json={"fileUrl": files.url("/big.zip"), "importerKey": "pending-files"},
            headers=headers,
        )
        assert r.json() == {"success": True}
        time.sleep(1.0)
        progress = httpx.get(f"{first.base_url}/api/v1/getImportProgress", headers=headers).json()
        assert progress["step"] == "importer_downloading_file"
        assert list((data_dir / "import-files").glob("*.part"))
    finally:
        first.kill()

    second = ServerProcess(database_url, data_dir, **env)
    second.start()
    try:
        headers = second.admin_headers()
        deadline = time.monotonic() + 20
        step = ""
        while time.monotonic() < deadline:
            body = httpx.get(f"{second.base_url}/api/v1/getImportProgress", headers=headers).json()
            step = body["step"]
            if step != "importer_downloading_file":
                break
            time.sleep(0.2)
        assert step == "importer_import_failed"
        op = httpx.get(
            f"{second.base_url}/api/v1/getCurrentImportOperation", headers=headers
        ).json()["operation"]
        assert op["failureReason"] == "error-import-file-download-failed"
        assert not list((data_dir / "import-files").iterdir())
    finally:
        second.stop()


def test_restart_resumes_its_own_import_at_once(database_url: str, tmp_path: Path) -> None:
    """Issue defect 6: the lease (here 120 s) of a process that died on this host is taken
    over at start, not after it expires."""
    from tests.imports.slack_fixtures import build_export
    from tests.support.operations import latest_operation, wait_for_status
    from tests.support.process import cli_import

    users = [{"id": f"U{n}", "name": f"u{n}", "profile": {"email": f"u{n}@x.io"}} for n in range(3)]
    channels = [{"id": "C1", "name": "dev", "members": ["U0"], "created": 1500000000}]
    days = {
        f"dev/2020-01-{d:02d}.json": [
            {
                "type": "message",
                "user": "U0",
                "text": f"m{d}-{i}",
                "ts": f"{1577836800 + d * 86400}.{i:06d}",
            }
            for i in range(50)
        ]
        for d in range(1, 21)
    }
    export = tmp_path / "export.zip"
    export.write_bytes(build_export({"users.json": users, "channels.json": channels, **days}))
    data_dir = tmp_path / "data"
    env = {"CHATPORT_LEASE_SECONDS": "120", "CHATPORT_IMPORT_MESSAGE_BATCH": "20"}
    child_env = {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(data_dir),
        "CHATPORT_CRASH_AT": "convert.after_commit:6",
        **env,
    }
    crashed = cli_import(export, "slack", child_env)
    assert crashed.returncode == 137
    op = latest_operation(database_url)
    assert op["status"] == "importer_importing_messages"
    assert op["lease_until"] > time.time() * 1000 + 60_000  # still leased to the dead process

    started = time.monotonic()
    restarted = ServerProcess(database_url, data_dir, **env)
    restarted.start()
    try:
        op = wait_for_status(database_url, "importer_done", timeout=60)
    finally:
        restarted.stop()
    assert op["status"] == "importer_done"
    assert time.monotonic() - started < 60
