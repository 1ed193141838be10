"""Slack exports with files and avatars, and the small files they point at, for pending tests."""

from __future__ import annotations

import struct
import time
import zlib
from typing import Any

from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import Client, LiveServer


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A real, tiny PNG (grey pixels), so sniffing and dimensions see what a browser sees."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([(seed + y) % 256]) * width for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def slack_file(file_id: str, name: str, url: str) -> dict[str, Any]:
    return {"id": file_id, "name": name, "size": 1, "url_private_download": url}


def file_message(ts: str, user: str, *files: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "user": user, "text": "", "ts": ts, "files": list(files)}


def users(avatar: dict[str, str] | None = None) -> list[dict[str, Any]]:
    avatar = avatar or {}
    out = []
    for uid, name in (("U1", "ann"), ("U2", "bob")):
        profile: dict[str, Any] = {"real_name": name.title(), "email": f"{name}@x.io"}
        if uid in avatar:
            profile["image_original"] = avatar[uid]
        out.append({"id": uid, "name": name, "profile": profile})
    return out


def channels() -> list[dict[str, Any]]:
    base = {"creator": "U1", "members": ["U1", "U2"], "created": 1500000000}
    return [
        {"id": "C1", "name": "general", "is_general": True, **base},
        {"id": "C2", "name": "dev", **base},
    ]


def import_export(server: LiveServer, admin: Client, files: FileServer, body: bytes) -> None:
    load(server, admin, files, body)
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress


def wait_done(server: LiveServer, admin: Client, timeout: float = 60) -> dict[str, Any]:
    return server.wait_for(
        admin,
        lambda p: p["step"] in ("importer_done", "importer_import_failed"),
        timeout=timeout,
    )


def requests_for(files: FileServer, path: str) -> int:
    return sum(1 for p, _host in files.requests if p.split("?")[0] == path)


def room_messages(admin: Client, room_id: str) -> dict[str, dict[str, Any]]:
    body = admin.get(f"/api/v1/channels.messages?roomId={room_id}&count=100").json()
    return {m["_id"]: m for m in body["messages"]}


def room_id(admin: Client, name: str) -> str:
    rooms = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    return next(r["_id"] for r in rooms if r.get("name") == name)


def poll(predicate: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")
