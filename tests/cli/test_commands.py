"""The command line: db upgrade, users create-admin, and the admin it creates logging in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.process import ServerProcess


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatport", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_db_upgrade_and_create_admin(database_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(tmp_path / "data"),
        "CHATPORT_BCRYPT_ROUNDS": "4",
    }
    env.pop("TEST_MODE", None)
    upgraded = _run(["db", "upgrade"], env)
    assert upgraded.returncode == 0 and "up to date" in upgraded.stdout
    created = _run(
        ["users", "create-admin", "boss", "--email", "boss@example.com", "--password-stdin"],
        env,
        stdin="s3cret-pass\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created admin boss" in created.stdout
    again = _run(
        ["users", "create-admin", "boss", "--email", "other@example.com", "--password-stdin"],
        env,
        stdin="x\n",
    )
    assert again.returncode == 1 and "already in use" in again.stderr

    server = ServerProcess(database_url, tmp_path / "data")
    server.env.pop("TEST_MODE")
    server.start()
    try:
        r = httpx.post(
            f"{server.base_url}/api/v1/login", json={"user": "boss", "password": "s3cret-pass"}
        )
        assert r.status_code == 200
        assert r.json()["data"]["me"]["roles"] == ["admin"]
    finally:
        server.stop()


def test_serve_creates_and_prints_a_first_admin(database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(database_url, tmp_path / "data")
    server.env.pop("TEST_MODE")
    server.start()
    try:
        log = server.log.read_text()
        assert "Created the first admin. Username: admin  Password: " in log
        password = log.split("Password: ", 1)[1].split()[0]
        r = httpx.post(
            f"{server.base_url}/api/v1/login", json={"user": "admin", "password": password}
        )
        assert r.status_code == 200
    finally:
        server.stop()
