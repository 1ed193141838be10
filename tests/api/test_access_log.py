"""The server's own access log (security A-11 row 11.3)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support.process import ServerProcess


def test_access_log_carries_no_token(database_url: str, tmp_path: Path) -> None:
    """Security A-11 row 11.3: Rocket.Chat clients send rc_uid/rc_token in /file-upload
    queries; the server's access log shows the path without its query."""
    server = ServerProcess(database_url, tmp_path / "data")
    server.start()
    try:
        secret = "TOKEN-abc123-SECRET"
        r = httpx.get(f"{server.base_url}/file-upload/x/y.png?rc_uid=u1&rc_token={secret}")
        assert r.status_code in (401, 403, 404)
        httpx.get(f"{server.base_url}/api/info?t=xoxe-{secret}")
        time.sleep(0.5)
    finally:
        server.stop()
    log = server.log.read_text()
    assert "/file-upload/x/y.png?[redacted]" in log, log[-2000:]
    assert secret not in log
