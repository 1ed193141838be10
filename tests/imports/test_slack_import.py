"""A Slack export imported end to end over HTTP, then read back through the read API."""

from __future__ import annotations

from tests.imports.slack_fixtures import build_export, zulip_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import LiveServer


def test_zulip_fixture_export(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    selection = load(server, admin, files, zulip_export())
    assert selection["name"] == "Slack"
    assert {u["username"] for u in selection["users"]} >= {"rheaparekh12", "showell30"}
    names = [c["name"] for c in selection["channels"]]
    assert names[:4] == ["random", "general", "general1", "sharedchannel"]
    assert selection["channels"][-1]["channel_id"] == "__directMessages__"
    assert selection["message_count"] == 14  # 13 day-file elements and one shared file
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress
    count = progress["count"]
    assert count["completed"] + count["skipped"] + count["error"] == count["total"]
    rooms = admin.get("/api/v1/rooms.adminRooms?count=100").json()
    by_name = {r.get("name"): r for r in rooms["rooms"]}
    assert "random" in by_name
    random = by_name["random"]
    msgs = admin.get(f"/api/v1/channels.messages?roomId={random['_id']}&count=100").json()
    assert random["msgs"] == 14  # every message record, the pending (hidden) file included
    assert msgs["total"] == 13  # the file message stays hidden until its download
    for m in msgs["messages"]:
        assert "_importFile" not in m
        assert m["_id"].startswith("slack-")


def test_reimport_adds_nothing(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    body = zulip_export()
    load(server, admin, files, body)
    first = run_import(server, admin, EVERYTHING)
    assert first["step"] == "importer_done"
    rooms_before = admin.get("/api/v1/rooms.adminRooms?count=100").json()["total"]
    users_before = admin.get("/api/v1/users.list?count=0").json()["total"]
    load(server, admin, files, body)
    second = run_import(server, admin, EVERYTHING)
    assert second["count"] == first["count"]
    assert admin.get("/api/v1/rooms.adminRooms?count=100").json()["total"] == rooms_before
    assert admin.get("/api/v1/users.list?count=0").json()["total"] == users_before


def _small_export() -> bytes:
    users = [
        {"id": "U1", "name": "ann", "profile": {"real_name": "Ann A", "email": "ann@x.io"}},
        {"id": "U2", "name": "bob", "profile": {"real_name": "Bob B", "email": "bob@x.io"}},
    ]
    channels = [
        {
            "id": "C1",
            "name": "general",
            "is_general": True,
            "creator": "U1",
            "members": ["U1", "U2"],
            "created": 1500000000,
        },
        {
            "id": "C2",
            "name": "dev",
            "creator": "U2",
            "members": ["U1", "U2"],
            "created": 1500000000,
            "topic": {"value": "code &amp; coffee"},
        },
    ]
    dev = [
        {
            "type": "message",
            "user": "U1",
            "text": "hello <@U2> see <#C1|general>",
            "ts": "1600000000.000100",
        },
        {
            "type": "message",
            "user": "U2",
            "text": "*bold* reply",
            "ts": "1600000001.000200",
            "thread_ts": "1600000000.000100",
        },
        {
            "type": "message",
            "user": "U2",
            "text": "",
            "subtype": "channel_join",
            "ts": "1600000002.000000",
        },
        {
            "type": "message",
            "user": "U1",
            "text": "nice",
            "ts": "1600000003.000000",
            "reactions": [{"name": "+1", "users": ["U2"], "count": 1}],
        },
    ]
    general = [{"type": "message", "user": "U2", "text": "hi all", "ts": "1600000005.000000"}]
    return build_export(
        {
            "users.json": users,
            "channels.json": channels,
            "dev/2020-09-13.json": dev,
            "general/2020-09-13.json": general,
        }
    )


def test_selection_leaving_out_a_channel_skips_its_messages(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    selection = load(server, admin, files, _small_export())
    assert [c["channel_id"] for c in selection["channels"]] == ["C1", "C2"]
    assert selection["message_count"] == 5
    progress = run_import(
        server, admin, {"users": {"all": True}, "channels": {"all": False, "list": ["C1"]}}
    )
    assert progress["step"] == "importer_done"
    assert progress["count"] == {"completed": 4, "total": 9, "error": 0, "skipped": 5}
    rooms = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    assert "dev" not in {r.get("name") for r in rooms}


def test_small_export_documents(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    load(server, admin, files, _small_export())
    progress = run_import(server, admin, EVERYTHING)
    assert progress["count"] == {"completed": 9, "total": 9, "error": 0, "skipped": 0}
    rooms = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    by_name = {r.get("name"): r for r in rooms}
    # Slack's general channel merged into GENERAL.
    assert by_name["general"]["_id"] == "GENERAL"
    dev = by_name["dev"]
    assert dev["topic"] == "code & coffee"
    assert dev["fname"] == "dev" and dev["t"] == "c"
    assert dev["usersCount"] == 2 and dev["msgs"] == 4
    msgs = admin.get(f"/api/v1/channels.messages?roomId={dev['_id']}&count=10").json()
    by_id = {m["_id"]: m for m in msgs["messages"]}
    first = by_id["slack-C2-1600000000-000100"]
    assert first["msg"] == "hello @bob see #general"
    assert first["mentions"][0]["username"] == "bob"
    assert first["channels"] == [{"_id": "GENERAL", "name": "general"}]
    assert first["ts"] == "2020-09-13T12:26:40.000Z"
    assert first["tcount"] == 1
    reply = by_id["slack-C2-1600000001-000200"]
    assert reply["tmid"] == "slack-C2-1600000000-000100"
    assert reply["msg"] == "*bold* reply"
    join = by_id["slack-C2-1600000002-000000"]
    assert join["t"] == "uj" and join["msg"] == ""
    liked = by_id["slack-C2-1600000003-000000"]
    assert liked["reactions"] == {":+1:": {"usernames": ["bob"]}}
