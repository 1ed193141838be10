"""chatport as a real child process (``python -m chatport serve`` or ``import``), for kill -9
tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.support.server import ADMIN


def cli_import(
    export: Path, importer: str, env: Mapping[str, str]
) -> subprocess.CompletedProcess[bytes]:
    """``python -m chatport import`` of ``export`` in a child, its output captured (a crash
    point ends it with 137)."""
    return subprocess.run(
        [sys.executable, "-m", "chatport", "import", str(export), "--importer", importer],
        env=env,
        capture_output=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(self, database_url: str, data_dir: Path, **env: str):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TEST_MODE": "true",
            "CHATPORT_DATA_DIR": str(data_dir),
            "CHATPORT_DATABASE_URL": database_url,
            "CHATPORT_BCRYPT_ROUNDS": "4",
            **env,
        }
        self.log = data_dir / f"server-{self.port}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "chatport", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/api/info", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def admin_headers(self) -> dict[str, str]:
        """Log in as the test admin; the headers that authenticate its requests."""
        r = httpx.post(f"{self.base_url}/api/v1/login", json={"user": ADMIN, "password": ADMIN})
        data = r.json()["data"]
        return {"X-User-Id": data["userId"], "X-Auth-Token": data["authToken"]}

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
