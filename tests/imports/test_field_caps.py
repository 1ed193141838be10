"""Fields beyond their caps fail their own record, and the import goes on (security A-7 rows
7.8 and 7.13; issue defect 15)."""

from __future__ import annotations

import base64
import os
import random
from collections.abc import Callable
from typing import Any

from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import Client, LiveServer


def _export(text: str, username: str, room_name: str) -> bytes:
    users = [
        {"id": "U1", "name": "ann", "profile": {"real_name": "Ann", "email": "ann@x.io"}},
        {"id": "U2", "name": username, "profile": {"real_name": "Long", "email": "long@x.io"}},
    ]
    channels = [
        {"id": "C1", "name": "dev", "members": ["U1", "U2"], "created": 1500000000},
        {"id": "C2", "name": room_name, "members": ["U1"], "created": 1500000000},
    ]
    day = [
        {"type": "message", "user": "U1", "text": text, "ts": "1600000000.000100"},
        {"type": "message", "user": "U1", "text": "short", "ts": "1600000001.000100"},
        {"type": "message", "user": "U2", "text": "by the long name", "ts": "1600000002.000100"},
    ]
    return build_export(
        {"users.json": users, "channels.json": channels, "dev/2020-09-13.json": day}
    )


def _problems(admin: Client) -> dict[str, dict[str, Any]]:
    out = {}
    for item in admin.get("/api/v1/import.errors").json()["errors"]:
        for error in item["errors"]:
            if error["message"] == "importer-field-too-long":
                out[item["dataType"]] = error["details"]
    return out


def test_default_caps(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    # Random text: a run of one letter would be refused as a zip bomb (ratio over 100).
    text = base64.b64encode(os.urandom(3 << 19)).decode()  # 2 MiB of characters
    load(server, admin, files, _export(text, "u" * 1000, "r" * 10_000))
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress
    problems = _problems(admin)
    assert problems["message"] == {"field": "msg", "length": 2 << 20, "max": 1 << 20}
    assert problems["user"] == {"field": "username", "length": 1000, "max": 255}
    assert problems["channel"] == {"field": "name", "length": 10_000, "max": 255}
    rooms = {r["name"]: r for r in admin.get("/api/v1/rooms.adminRooms").json()["rooms"]}
    assert set(rooms) == {"general", "dev"}
    msgs = admin.get(f"/api/v1/channels.messages?roomId={rooms['dev']['_id']}").json()
    assert [m["msg"] for m in msgs["messages"]] == ["short"]  # the long name's author failed


def test_caps_are_settings(make_server: Callable[..., LiveServer], files: FileServer) -> None:
    server = make_server(import_max_message_chars=10, import_max_name_chars=5)
    admin = server.admin()
    load(server, admin, files, _export("eleven char", "abcdef", "dev2"))
    run_import(server, admin, EVERYTHING)
    problems = _problems(admin)
    assert problems["message"] == {"field": "msg", "length": 11, "max": 10}
    assert problems["user"] == {"field": "username", "length": 6, "max": 5}
    assert "channel" not in problems


def test_a_huge_channel_record_is_refused_without_reading_it_whole(
    server: LiveServer, files: FileServer
) -> None:
    """A-7 row 5.12 / 7.8: one giant record in channels.json (here 20 MiB of members) is that
    record's error as soon as it streams past the 16 MiB record cap; the others import."""
    users = [{"id": "U1", "name": "ann", "profile": {"email": "ann@x.io"}}]
    rng = random.Random(7)
    members = [f"U{rng.randrange(10**9):09d}" for _ in range(1_600_000)]  # about 20 MiB
    channels = [
        {"id": "C1", "name": "dev", "members": ["U1"], "created": 1500000000},
        {"id": "C2", "name": "huge", "members": members, "created": 1500000000},
        {"id": "C3", "name": "after", "members": ["U1"], "created": 1500000000},
    ]
    admin = server.admin()
    selection = load(
        server, admin, files, build_export({"users.json": users, "channels.json": channels})
    )
    assert [c["name"] for c in selection["channels"]] == ["dev", "after"]
    errors = admin.get("/api/v1/import.errors").json()["errors"]
    (huge,) = [e for e in errors if e["dataType"] == "channel"]
    assert "record of more than 16777216 bytes" in str(huge["errors"])
