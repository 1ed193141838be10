"""A server killed with SIGKILL mid-download, then restarted: nothing stays "running"."""

from __future__ import annotations

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
