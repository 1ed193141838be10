"""downloadPublicImportFile and the client's connection (security §1.5.8-§1.5.10, attack 4.9).

A client that disconnects before the answer cancels the download: the remote socket is closed,
no ``.part`` stays in the store, and the operation ends ``importer_import_cancelled``. Once the
answer is sent, the download no longer depends on the client.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatport.errors import PlainError
from chatport.imports import operations as ops
from chatport.imports.download import Requester
from chatport.imports.service import ImportService
from tests.support.fileserver import FileServer, Route, wait_until
from tests.support.server import Client, LiveServer

DOWNLOAD = "/api/v1/downloadPublicImportFile"
CANCELLED = "importer_import_cancelled"


def _current(admin: Client) -> dict[str, Any]:
    op = admin.get("/api/v1/getCurrentImportOperation").json().get("operation")
    assert op is not None
    return dict(op)


def _store_files(server: LiveServer) -> list[str]:
    root: Path = server.ctx.store.root
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def _allow(server: LiveServer, admin: Client, files: FileServer) -> None:
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")


def _raw_request(server: LiveServer, admin: Client, url: str) -> socket.socket:
    """Send the request by hand on a socket the test closes whenever it wants."""
    body = json.dumps({"fileUrl": url, "importerKey": "pending-files"}).encode()
    port = int(server.base_url.rsplit(":", 1)[1])
    head = (
        f"POST {DOWNLOAD} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"X-User-Id: {admin.user_id}\r\n"
        f"X-Auth-Token: {admin.token}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(head + body)
    return sock


def _read_answer(sock: socket.socket) -> bytes:
    """The whole response (headers and the Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed early: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        chunk = sock.recv(4096)
        assert chunk
        rest += chunk
    return head + b"\r\n\r\n" + rest


def _wait_status(server: LiveServer, admin: Client, status: str, timeout: float) -> dict[str, Any]:
    server.wait_for(admin, lambda p: p["step"] == status, timeout=timeout)
    return _current(admin)


def _still_serves(server: LiveServer, admin: Client, files: FileServer) -> None:
    """Other requests are answered, and a new download runs to the end."""
    assert admin.get("/api/v1/importers.list").status_code == 200
    files.routes["/after.bin"] = Route(body=b"after")
    r = admin.post(DOWNLOAD, json={"fileUrl": files.url("/after.bin"), "importerKey": "csv"})
    assert r.content == b'{"success":true}'
    op = _wait_status(server, admin, "importer_file_loaded", timeout=10)
    assert _store_files(server) == [f"{op['_id']}.import"]


def test_disconnect_while_headers_are_awaited_cancels(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    _allow(server, admin, files)
    files.routes["/slow-head.zip"] = Route(body=b"PK" * 100, hang=30)
    sock = _raw_request(server, admin, files.url("/slow-head.zip"))
    # The fetch has reached the remote host and waits for its headers: no answer yet.
    wait_until(lambda: files.requests, timeout=10)
    op = _current(admin)
    assert op["status"] == "importer_downloading_file"
    sock.close()
    left = time.monotonic()

    op = _wait_status(server, admin, CANCELLED, timeout=10)
    # Well before the 30 s stall or the 60 s header timeout: the socket was closed at once.
    assert time.monotonic() - left < 5
    assert op["failureReason"] == "error-import-operation-cancelled"
    assert "failureMessage" not in op
    wait_until(lambda: files.disconnects == ["/slow-head.zip"], timeout=5)
    assert not [name for name in _store_files(server) if name.endswith(".part")]
    assert _store_files(server) == []
    _still_serves(server, admin, files)


def test_client_timeout_before_the_answer_cancels(server: LiveServer, files: FileServer) -> None:
    """What a real client does: give up on a slow answer and close its connection."""
    admin = server.admin()
    _allow(server, admin, files)
    files.routes["/stuck"] = Route(body=b"x" * 10, hang=30)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{server.base_url}{DOWNLOAD}",
            json={"fileUrl": files.url("/stuck"), "importerKey": "csv"},
            headers={"X-User-Id": str(admin.user_id), "X-Auth-Token": str(admin.token)},
            timeout=1.0,
        )
    op = _wait_status(server, admin, CANCELLED, timeout=10)
    assert op["failureReason"] == "error-import-operation-cancelled"
    wait_until(lambda: files.disconnects == ["/stuck"], timeout=5)
    assert _store_files(server) == []
    _still_serves(server, admin, files)


def test_disconnect_after_the_answer_changes_nothing(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    _allow(server, admin, files)
    body = bytes(range(256)) * 8
    files.routes["/trickle.zip"] = Route(body=body, chunk=128, delay=0.1)
    sock = _raw_request(server, admin, files.url("/trickle.zip"))
    answer = _read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"\r\n\r\n" + b'{"success":true}')
    sock.close()  # mid-body: about 1.6 s of it remain

    op = _wait_status(server, admin, "importer_file_loaded", timeout=15)
    assert op["valid"] is True
    assert "failureReason" not in op
    assert files.disconnects == []
    assert _store_files(server) == [f"{op['_id']}.import"]
    assert (server.ctx.store.root / f"{op['_id']}.import").read_bytes() == body


def _service_download(
    server: LiveServer, admin: Client, url: str, requester: Requester
) -> ops.Operation:
    """The route's own call, without HTTP: the test plays the route's part with ``requester``."""
    ImportService(server.ctx).download_public_file(str(admin.user_id), url, "csv", requester)
    with server.ctx.engine.connect() as conn:
        op = ops.current(conn)
    assert op is not None
    return op


def test_leaving_mid_body_before_the_answer_cancels(server: LiveServer, files: FileServer) -> None:
    """Headers passed and the body is streaming, but the answer is not sent yet."""
    admin = server.admin()
    _allow(server, admin, files)
    files.routes["/long.bin"] = Route(body=b"L" * 4000, chunk=100, delay=0.1)
    requester = Requester()
    op = _service_download(server, admin, files.url("/long.bin"), requester)
    part = server.ctx.store.part_path(op.id)
    wait_until(part.exists, timeout=10)
    time.sleep(0.5)  # a few chunks in (they sit in the file's write buffer)
    assert _current(admin)["status"] == "importer_downloading_file"
    requester.left()
    assert requester.answer() is False

    _wait_status(server, admin, CANCELLED, timeout=10)
    wait_until(lambda: files.disconnects == ["/long.bin"], timeout=5)
    assert _store_files(server) == []


@pytest.mark.parametrize("answered", [False, True])
def test_a_body_finished_before_the_answer_waits_for_it(
    server: LiveServer, files: FileServer, answered: bool
) -> None:
    """The whole body arrived first: it is committed only if the answer is then sent."""
    admin = server.admin()
    _allow(server, admin, files)
    files.routes["/tiny.bin"] = Route(body=b"tiny")
    requester = Requester()
    op = _service_download(server, admin, files.url("/tiny.bin"), requester)
    part = server.ctx.store.part_path(op.id)
    wait_until(part.exists, timeout=10)
    time.sleep(0.5)  # the four bytes are in; the commit now waits for the answer
    assert _current(admin)["status"] == "importer_downloading_file"
    if answered:
        assert requester.answer() is True
        requester.left()  # after the answer: ignored
        current = _wait_status(server, admin, "importer_file_loaded", timeout=10)
        assert _store_files(server) == [f"{current['_id']}.import"]
    else:
        requester.left()
        assert requester.answer() is False
        _wait_status(server, admin, CANCELLED, timeout=10)
        assert _store_files(server) == []
    assert files.disconnects == []


def test_client_gone_before_the_fetch_starts(server: LiveServer, files: FileServer) -> None:
    """Left while the operation was being created: nothing is fetched at all."""
    admin = server.admin()
    _allow(server, admin, files)
    files.routes["/never.bin"] = Route(body=b"never")
    requester = Requester()
    requester.left()
    with pytest.raises(PlainError):
        _service_download(server, admin, files.url("/never.bin"), requester)
    op = _wait_status(server, admin, CANCELLED, timeout=5)
    assert op["failureReason"] == "error-import-operation-cancelled"
    assert files.requests == []
    assert _store_files(server) == []
