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


def test_set_password_lets_an_imported_user_log_in(database_url: str, tmp_path: Path) -> None:
    """Issue defect 12: imported users get a random secret; an administrator gives them a
    password from the terminal."""
    from tests.imports.slack_fixtures import build_export
    from tests.support.process import cli_import

    export = tmp_path / "export.zip"
    export.write_bytes(
        build_export(
            {
                "users.json": [{"id": "U1", "name": "ann", "profile": {"email": "ann@x.io"}}],
                "channels.json": [{"id": "C1", "name": "dev", "members": ["U1"], "created": 1}],
            }
        )
    )
    env = {
        **os.environ,
        "CHATPORT_DATABASE_URL": database_url,
        "CHATPORT_DATA_DIR": str(tmp_path / "data"),
        "CHATPORT_BCRYPT_ROUNDS": "4",
        "ADMIN_PASS": "admin-pass",
    }
    assert cli_import(export, "slack", env).returncode == 0
    missing = _run(["users", "set-password", "nobody", "--password-stdin"], env, stdin="pw\n")
    assert missing.returncode == 1 and "no user 'nobody'" in missing.stderr
    by_email = _run(["users", "set-password", "ann@x.io", "--password-stdin"], env, "n3w-pass\n")
    assert by_email.returncode == 0, by_email.stderr
    assert "password set for ann" in by_email.stdout

    server = ServerProcess(database_url, tmp_path / "data", ADMIN_PASS="admin-pass")
    server.start()
    try:
        r = httpx.post(
            f"{server.base_url}/api/v1/login", json={"user": "ann", "password": "n3w-pass"}
        )
        assert r.status_code == 200, r.text
        me = r.json()["data"]["me"]
        assert me["username"] == "ann" and "requirePasswordChange" not in me
    finally:
        server.stop()
