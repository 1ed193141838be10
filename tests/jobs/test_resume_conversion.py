"""A conversion killed at a crash point resumes from its checkpoint after a restart."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.process import ServerProcess


@pytest.mark.parametrize("point", ["convert.before_commit:3", "convert.after_commit:2"])
def test_crash_mid_conversion_then_resume(database_url: str, tmp_path: Path, point: str) -> None:
    data_dir = tmp_path / "data"
    env = {"CHATPORT_LEASE_SECONDS": "1", "CHATPORT_SWEEP_INTERVAL_SECONDS": "0.5"}
    first = ServerProcess(database_url, data_dir, CHATPORT_CRASH_AT=point, **env)
    first.start()
    base = first.base_url
    headers = first.admin_headers()
    httpx.post(f"{base}/api/v1/import.new", headers=headers)
    users = [
        {"emails": [f"u{i}@example.com"], "importIds": [f"id{i}"], "username": f"u{i}"}
        for i in range(400)
    ]
    r = httpx.post(f"{base}/api/v1/import.addUsers", json={"users": users}, headers=headers)
    assert r.json() == {"success": True}
    httpx.post(f"{base}/api/v1/import.run", headers=headers)
    assert first.proc is not None
    first.proc.wait(timeout=30)
    assert first.proc.returncode == 137

    second = ServerProcess(database_url, data_dir, **env)
    second.start()
    try:
        base = second.base_url
        headers = second.admin_headers()
        deadline = time.monotonic() + 30
        progress: dict = {}  # type: ignore[type-arg]
        while time.monotonic() < deadline:
            progress = httpx.get(f"{base}/api/v1/getImportProgress", headers=headers).json()
            if progress["step"] in ("importer_done", "importer_import_failed"):
                break
            time.sleep(0.2)
        assert progress["step"] == "importer_done"
        assert progress["count"] == {"completed": 400, "total": 400, "error": 0, "skipped": 0}
        listing = httpx.get(f"{base}/api/v1/users.list?count=0", headers=headers).json()
        assert listing["total"] == 401  # 400 imported, no duplicates, plus the test admin
    finally:
        second.stop()
