"""The CSV zip importer end to end over HTTP, with Rocket.Chat's own fixture files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import Client, LiveServer

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "rocketchat"


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _example() -> bytes:
    return _zip(
        {
            "users.csv": (FIXTURES / "csv_import_users.csv").read_bytes(),
            "channels.csv": (FIXTURES / "csv_import_rooms.csv").read_bytes(),
            "directmessages/dm_messages.csv": (FIXTURES / "dm_messages.csv").read_bytes(),
            "imported-csv-channel-with-members/messages.csv": (
                b'"billy.bob","1479162481000","hello, channel"\n'
                b'"billy.joe","1479162482000","reply"\n'
                b'"billy.joe","1479162482000","reply"\n'
                b'"billy.joe","not a time","broken"\n'
                b'"only-two-columns","1"\n'
            ),
            "__MACOSX/._users.csv": b"junk",
        }
    )


def _load(server: LiveServer, admin: Client, files: FileServer, body: bytes) -> dict[str, Any]:
    return load(server, admin, files, body, "csv", "/import.zip")


def test_rocketchat_example_zip(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    selection = _load(server, admin, files, _example())
    assert selection["name"] == "CSV"
    assert [u["username"] for u in selection["users"]] == ["billy.bob", "billy.joe"]
    assert [c["name"] for c in selection["channels"]] == [
        "imported-csv-group",
        "imported-csv-channel",
        "imported-csv-group-with-members",
        "imported-csv-channel-with-members",
        "Direct Messages",
    ]
    assert selection["message_count"] == 7
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress
    assert progress["count"] == {"completed": 12, "total": 14, "error": 2, "skipped": 0}
    rooms = {
        r.get("name"): r for r in admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    }
    group = rooms["imported-csv-group-with-members"]
    assert group["t"] == "p" and group["usersCount"] == 2
    assert group["u"]["username"] == "billy.bob"
    channel = rooms["imported-csv-channel-with-members"]
    msgs = admin.get(f"/api/v1/channels.messages?roomId={channel['_id']}&count=10").json()
    texts = sorted(m["msg"] for m in msgs["messages"])
    assert texts == ["hello, channel", "reply", "reply"]
    ids = {m["_id"] for m in msgs["messages"]}
    assert len(ids) == 3 and all(i.startswith("csv-") and len(i) == 28 for i in ids)
    dm = next(r for r in rooms.values() if r["t"] == "d")
    assert sorted(dm["usernames"]) == ["billy.bob", "billy.joe"] and dm["msgs"] == 2

    # Importing it again adds nothing.
    total_rooms = len(rooms)
    _load(server, admin, files, _example())
    again = run_import(server, admin, EVERYTHING)
    assert again["count"] == progress["count"]
    after = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    assert len(after) == total_rooms
    msgs = admin.get(f"/api/v1/channels.messages?roomId={channel['_id']}&count=10").json()
    assert msgs["total"] == 3


def test_existing_users_are_room_members(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.create_user(admin, "existing.person")
    body = _zip({"channels.csv": b'"team","existing.person","public","existing.person"\n'})
    _load(server, admin, files, body)
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done"
    room = next(
        r
        for r in admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
        if r.get("name") == "team"
    )
    assert room["u"]["username"] == "existing.person" and room["usersCount"] == 1


def test_broken_channels_csv_fails_with_file_and_line(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    body = _zip(
        {"users.csv": b"a, a@x.io, A\n", "channels.csv": b'"ok","a","public",""\n"bad,"a\n'}
    )
    data = _load(server, admin, files, body)
    assert data["errorType"] == "error-import-operation-invalid"
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["status"] == "importer_import_failed"
    assert op["failureReason"] == "error-import-file-invalid"
    assert op["failureMessage"].startswith("channels.csv line 2")
    assert admin.get("/api/v1/users.list?count=0").json()["total"] == 1  # nothing half-written


def test_too_few_columns_in_users_csv(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    _load(server, admin, files, _zip({"users.csv": b"lonely\n"}))
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["failureMessage"] == "users.csv line 1: 1 columns, at least 2 expected"
