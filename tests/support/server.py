"""A real chatport server on a loopback port, in this process, for HTTP tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from chatport.app import create_app
from chatport.bootstrap import build_context
from chatport.config import Config
from chatport.context import Context

ADMIN = "rocketchat.internal.admin.test"


def loopback_resolver(host: str, port: int) -> list[str]:
    """Names under the reserved ``.test`` TLD resolve to loopback; nothing else resolves."""
    if host.endswith(".test") or host == "mock-server.dev":
        return ["127.0.0.1"]
    raise OSError("no such host in tests")


class Client:
    """An HTTP client for one server, optionally logged in."""

    def __init__(self, base_url: str, user_id: str | None = None, token: str | None = None):
        self.base_url = base_url
        headers = {}
        if user_id and token:
            headers = {"X-User-Id": user_id, "X-Auth-Token": token}
        self.user_id = user_id
        self.token = token
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        if json is not None:
            kw["json"] = json
        return self.http.post(path, **kw)

    def close(self) -> None:
        self.http.close()


@dataclass
class LiveServer:
    base_url: str
    ctx: Context
    server: uvicorn.Server
    thread: threading.Thread

    def client(self) -> Client:
        return Client(self.base_url)

    def login(self, user: str, password: str) -> Client:
        r = httpx.post(f"{self.base_url}/api/v1/login", json={"user": user, "password": password})
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        return Client(self.base_url, data["userId"], data["authToken"])

    def admin(self) -> Client:
        return self.login(ADMIN, ADMIN)

    def create_user(
        self,
        admin: Client,
        username: str,
        password: str = "rocket.chat",
        roles: list[str] | None = None,
    ) -> Client:
        body: dict[str, Any] = {
            "email": f"{username}@rocket.chat",
            "name": username,
            "username": username,
            "password": password,
        }
        if roles is not None:
            body["roles"] = roles
        r = admin.post("/api/v1/users.create", json=body)
        assert r.status_code == 200, r.text
        return self.login(username, password)

    def set_setting(self, admin: Client, setting_id: str, value: Any) -> None:
        r = admin.post(f"/api/v1/settings/{setting_id}", json={"value": value})
        assert r.status_code == 200, r.text

    def wait_for(
        self, admin: Client, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0
    ) -> dict[str, Any]:
        """Poll getImportProgress, as clients do, until ``predicate`` holds."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            last = admin.get("/api/v1/getImportProgress").json()
            if predicate(last):
                return last
            time.sleep(0.05)
        raise AssertionError(f"timed out; last progress {last}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def start_server(
    database_url: str,
    data_dir: Path,
    *,
    resolver: Callable[[str, int], list[str]] | None = loopback_resolver,
    ca_certs: str | None = None,
    **overrides: Any,
) -> LiveServer:
    settings: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "test_mode": True,
        "bcrypt_rounds": 4,
    }
    settings.update(overrides)
    config = Config(**settings)
    ctx = build_context(config, resolver=resolver, ca_certs=ca_certs, announce=lambda _m: None)
    app = create_app(ctx)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("chatport test server did not start")
        time.sleep(0.01)
    return LiveServer(f"http://127.0.0.1:{port}", ctx, server, thread)
