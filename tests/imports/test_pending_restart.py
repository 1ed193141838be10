"""A server SIGKILLed in the middle of pending downloads, then restarted (issue 5).

The restarted process's sweep resumes the operation once its lease expires; items leased by
the dead workers are claimed again when theirs expire; items that finished before the kill are
never fetched again (counted on the loopback file server).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.imports.pending_support import channels, file_message, slack_file, users
from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer, Route
from tests.support.process import ServerProcess

N_FILES = 6


def _progress(base: str, headers: dict[str, str]) -> dict[str, Any]:
    return dict(httpx.get(f"{base}/api/v1/getImportProgress", headers=headers).json())


def _wait(base: str, headers: dict[str, str], pred: Any, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = _progress(base, headers)
        if pred(last):
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out; last progress {last}")


def _visible_files(base: str, headers: dict[str, str]) -> dict[str, str]:
    """file message id → its upload URL, for the messages shown so far."""
    rooms = httpx.get(f"{base}/api/v1/rooms.adminRooms?count=100", headers=headers).json()
    rid = next(r["_id"] for r in rooms["rooms"] if r.get("name") == "general")
    body = httpx.get(
        f"{base}/api/v1/channels.messages?roomId={rid}&count=100", headers=headers
    ).json()
    return {m["_id"]: m["file"]["_id"] for m in body["messages"] if "file" in m}


def _serve_export(files: FileServer, general: list[dict[str, Any]]) -> None:
    """Serve, at ``/export.zip``, a Slack export whose #general holds ``general``."""
    files.routes["/export.zip"] = Route(
        body=build_export(
            {"users.json": users(), "channels.json": channels(), "general/2020-09-13.json": general}
        )
    )


def _env(files: FileServer, **extra: str) -> dict[str, str]:
    """Short leases and sweeps, so a restarted server takes over within seconds."""
    return {
        "CHATPORT_SSRF_ALLOWLIST": f"127.0.0.1:{files.port}",
        "CHATPORT_LEASE_SECONDS": "2",
        "CHATPORT_SWEEP_INTERVAL_SECONDS": "0.5",
        "CHATPORT_PENDING_LEASE_SECONDS": "2",
        "CHATPORT_PENDING_HEARTBEAT_SECONDS": "0.5",
        **extra,
    }


def _import(base: str, headers: dict[str, str], files: FileServer) -> None:
    r = httpx.post(
        f"{base}/api/v1/downloadPublicImportFile",
        json={"fileUrl": files.url("/export.zip"), "importerKey": "slack"},
        headers=headers,
    )
    assert r.json() == {"success": True}
    _wait(base, headers, lambda p: p["step"] == "importer_file_loaded")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        data = httpx.get(f"{base}/api/v1/getImportFileData", headers=headers).json()
        if not data.get("waiting"):
            break
        time.sleep(0.05)
    r = httpx.post(
        f"{base}/api/v1/startImport",
        json={"input": {"users": {"all": True}, "channels": {"all": True}}},
        headers=headers,
    )
    assert r.json() == {"success": True}
    assert _wait(base, headers, lambda p: p["step"] == "importer_done")["step"] == "importer_done"


def test_killed_mid_run_resumes_without_refetching(
    database_url: str, tmp_path: Path, files: FileServer
) -> None:
    bodies = {f"/f/{n}.bin": bytes([n]) * 2000 + bytes(range(256)) for n in range(N_FILES)}
    for path, body in bodies.items():
        files.routes[path] = Route(body=body, chunk=250, delay=0.12)
    general = [
        file_message(
            f"16000000{n:02d}.000100",
            "U1",
            slack_file(f"F{n}", f"{n}.bin", files.url(f"/f/{n}.bin")),
        )
        for n in range(N_FILES)
    ]
    _serve_export(files, general)
    env = _env(files, CHATPORT_PENDING_DOWNLOAD_WORKERS="2")
    data_dir = tmp_path / "data"
    first = ServerProcess(database_url, data_dir, **env)
    first.start()
    try:
        headers = first.admin_headers()
        _import(first.base_url, headers, files)
        r = httpx.post(f"{first.base_url}/api/v1/downloadPendingFiles", headers=headers)
        assert r.json() == {"count": N_FILES, "success": True}
        _wait(first.base_url, headers, lambda p: p["count"].get("completed", 0) >= 2)
        finished_before_kill = _visible_files(first.base_url, headers)
    finally:
        first.kill()
    assert 2 <= len(finished_before_kill) < N_FILES  # killed mid-run

    second = ServerProcess(database_url, data_dir, **env)
    second.start()
    try:
        headers = second.admin_headers()
        progress = _wait(
            second.base_url, headers, lambda p: p["step"] != "importer_importing_files"
        )
        assert progress["step"] == "importer_done"
        assert progress["count"]["completed"] == N_FILES
        assert progress["count"]["error"] == 0 and progress["count"]["total"] == N_FILES
        shown = _visible_files(second.base_url, headers)
        assert len(shown) == N_FILES
        for message_id, upload_id in shown.items():
            n = int(message_id.split("-")[2][-2:])
            served = httpx.get(
                f"{second.base_url}/file-upload/{upload_id}/{n}.bin", headers=headers
            )
            assert served.content == bodies[f"/f/{n}.bin"]
        for message_id in finished_before_kill:
            n = int(message_id.split("-")[2][-2:])
            fetched = sum(1 for p, _h in files.requests if p == f"/f/{n}.bin")
            assert fetched == 1, message_id
    finally:
        second.stop()


def test_crash_between_blob_write_and_commit(
    database_url: str, tmp_path: Path, files: FileServer
) -> None:
    """security-reliability A-9.7: re-claimed after the lease, one attachment, no orphan."""
    body = bytes(range(256)) * 8
    files.routes["/f/0.bin"] = Route(body=body)
    general = [
        file_message("1600000000.000100", "U1", slack_file("F0", "0.bin", files.url("/f/0.bin")))
    ]
    _serve_export(files, general)
    env = _env(files)
    data_dir = tmp_path / "data"
    first = ServerProcess(
        database_url, data_dir, CHATPORT_CRASH_AT="pending.after_blob_write_before_db:1", **env
    )
    first.start()
    try:
        headers = first.admin_headers()
        _import(first.base_url, headers, files)
        r = httpx.post(f"{first.base_url}/api/v1/downloadPendingFiles", headers=headers)
        assert r.json() == {"count": 1, "success": True}
        assert first.proc is not None
        assert first.proc.wait(timeout=30) == 137  # exited at the crash point
    finally:
        first.stop()
    blobs = list((data_dir / "uploads" / "blobs").glob("*/*"))
    assert len(blobs) == 1  # written, never committed

    second = ServerProcess(database_url, data_dir, **env)
    second.start()
    try:
        headers = second.admin_headers()
        progress = _wait(
            second.base_url, headers, lambda p: p["step"] != "importer_importing_files"
        )
        assert progress["step"] == "importer_done"
        assert progress["count"]["completed"] == 1
        shown = _visible_files(second.base_url, headers)
        assert list(shown) == ["slack-C1-1600000000-000100-file1"]
        served = httpx.get(
            f"{second.base_url}/file-upload/{shown['slack-C1-1600000000-000100-file1']}/0.bin",
            headers=headers,
        )
        assert served.content == body
        rooms = httpx.get(f"{second.base_url}/api/v1/rooms.adminRooms?count=100", headers=headers)
        rid = next(r["_id"] for r in rooms.json()["rooms"] if r.get("name") == "general")
        msgs = httpx.get(
            f"{second.base_url}/api/v1/channels.messages?roomId={rid}&count=100", headers=headers
        ).json()["messages"]
        (message,) = [m for m in msgs if "file" in m]
        assert len(message["attachments"]) == 1
        assert sum(1 for p, _h in files.requests if p == "/f/0.bin") == 2
        assert len(list((data_dir / "uploads" / "blobs").glob("*/*"))) == 1
        assert not list((data_dir / "uploads" / "tmp").glob("*.part"))
    finally:
        second.stop()
