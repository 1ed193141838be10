"""Values one record gets wrong stay that record's problem (security A-7 rows 7.2, 7.3, 7.7),
and NUL characters import the same on both backends (issue defects 14 and 16)."""

from __future__ import annotations

import json

from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import LiveServer


def _user(n: int, **extra: object) -> dict[str, object]:
    profile = {"real_name": f"User {n}", "email": f"u{n}@x.io"}
    return {"id": f"U{n}", "name": f"user{n}", "profile": profile, **extra}


def _messages(texts: list[str]) -> list[dict[str, object]]:
    return [
        {"type": "message", "user": "U1", "text": t, "ts": f"16000000{i:02d}.000100"}
        for i, t in enumerate(texts)
    ]


def test_one_huge_number_loses_only_its_record(server: LiveServer, files: FileServer) -> None:
    users = [json.dumps(_user(n)).encode() for n in range(1, 6)]
    users[1] = users[1][:-1] + b', "updated": ' + b"7" * 5000 + b"}"  # U2
    channels = [{"id": "C1", "name": "dev", "members": ["U1"], "created": 1500000000}]
    day = json.dumps(_messages(["one", "two", "three", "four"])).encode()
    day = day.replace(b'"ts": "1600000001.000100"', b'"ts": 1e309', 1)
    day = day.replace(b'"ts": "1600000002.000100"', b'"ts": NaN', 1)
    body = build_export(
        {},
        {
            "users.json": b"[" + b",".join(users) + b"]",
            "channels.json": json.dumps(channels).encode(),
            "dev/2020-09-13.json": day,
        },
    )
    admin = server.admin()
    selection = load(server, admin, files, body)
    assert sorted(u["user_id"] for u in selection["users"]) == ["U1", "U3", "U4", "U5"]
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress
    for name in ("user1", "user3", "user4", "user5"):
        assert admin.get(f"/api/v1/users.info?username={name}").json()["success"] is True
    room = {r["name"]: r for r in admin.get("/api/v1/rooms.adminRooms").json()["rooms"]}["dev"]
    msgs = admin.get(f"/api/v1/channels.messages?roomId={room['_id']}").json()["messages"]
    assert sorted(m["msg"] for m in msgs) == ["four", "one"]
    errors = admin.get("/api/v1/import.errors").json()["errors"]
    problems = {(e["source"]["entry"], e["source"].get("index")): e["errors"] for e in errors}
    assert ("users.json", 1) in problems
    assert ("dev/2020-09-13.json", 1) in problems and ("dev/2020-09-13.json", 2) in problems
    assert "integer with 5000 digits" in json.dumps(problems[("users.json", 1)])
    assert "number out of range" in json.dumps(problems[("dev/2020-09-13.json", 1)])
    assert "NaN is not allowed" in json.dumps(problems[("dev/2020-09-13.json", 2)])


def test_truly_malformed_file_still_fails_with_the_offset(
    server: LiveServer, files: FileServer
) -> None:
    body = build_export({}, {"users.json": b'[{"id": "U1"}, {"id" "U2"}]', "channels.json": b"[]"})
    admin = server.admin()
    load(server, admin, files, body)
    (item,) = admin.get("/api/v1/import.errors").json()["errors"]
    assert item["source"]["entry"] == "users.json"
    (error,) = item["errors"]
    assert error["message"] == "importer-entry-invalid"
    assert "line 1 column 22" in error["details"]["reason"], error


def test_nul_characters_import_as_replacement_characters(
    server: LiveServer, files: FileServer
) -> None:
    users = [_user(1), _user(2)]
    users[0]["profile"] = {"real_name": "Ann\u0000A", "email": "u1@x.io"}
    channels = [
        {
            "id": "C1",
            "name": "dev",
            "members": ["U1", "U2"],
            "created": 1500000000,
            "purpose": {"value": "pur\u0000pose"},
        }
    ]
    body = build_export(
        {
            "users.json": users,
            "channels.json": channels,
            "dev/2020-09-13.json": _messages(["a\u0000b", "plain"]),
        }
    )
    admin = server.admin()
    load(server, admin, files, body)
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress
    assert progress["count"]["error"] == 0
    ann = admin.get("/api/v1/users.info?username=user1").json()["user"]
    assert ann["name"] == "Ann\ufffdA"
    room = {r["name"]: r for r in admin.get("/api/v1/rooms.adminRooms").json()["rooms"]}["dev"]
    assert room["description"] == "pur\ufffdpose"
    msgs = admin.get(f"/api/v1/channels.messages?roomId={room['_id']}").json()["messages"]
    assert sorted(m["msg"] for m in msgs) == ["a\ufffdb", "plain"]


def test_nul_in_request_parameters_is_a_400(server: LiveServer) -> None:
    admin = server.admin()
    anonymous = server.client()
    for response in (
        admin.get("/api/v1/users.info?username=a%00b"),
        admin.get("/api/v1/channels.messages?roomId=GENERAL%00"),
        admin.get("/api/v1/rooms.info?roomId=%00"),
        admin.get("/api/v1/chat.getMessage?msgId=x%00"),
        anonymous.get("/avatar/%00"),
        anonymous.post("/api/v1/login", json={"user": "a\u0000b", "password": "x"}),
        admin.post(
            "/api/v1/users.create",
            json={"email": "a@b.io", "name": "n", "username": "a\u0000b", "password": "pw-123456"},
        ),
    ):
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["success"] is False
        assert "NUL" in body["error"]
    assert admin.get("/api/v1/users.info?username=admin").status_code in (200, 400)


def test_bad_created_and_reactions_fail_their_record(server: LiveServer, files: FileServer) -> None:
    """A-7 row 7.7: ``created: -1`` and ``reactions[].users: null`` are per-record errors."""
    channels = [
        {"id": "C1", "name": "dev", "members": ["U1"], "created": 1500000000},
        {"id": "C2", "name": "odd", "members": ["U1"], "created": -1},
    ]
    day = _messages(["fine", "odd reaction"])
    day[1]["reactions"] = [{"name": "+1", "users": None, "count": 1}]
    body = build_export(
        {"users.json": [_user(1)], "channels.json": channels, "dev/2020-09-13.json": day}
    )
    admin = server.admin()
    load(server, admin, files, body)
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done"
    errors = admin.get("/api/v1/import.errors").json()["errors"]
    by_where = {(e["dataType"], e.get("importId")): e["errors"] for e in errors}
    assert by_where[("channel", "C2")] == [
        {"message": "importer-record-invalid", "details": {"field": "created"}}
    ]
    (message,) = [e for e in errors if e["dataType"] == "message"]
    assert message["errors"][0]["details"]["field"] == "reactions.users"
    room = {r["name"]: r for r in admin.get("/api/v1/rooms.adminRooms").json()["rooms"]}["dev"]
    msgs = admin.get(f"/api/v1/channels.messages?roomId={room['_id']}").json()["messages"]
    assert [m["msg"] for m in msgs] == ["fine"]


def test_custom_fields_keys_are_checked(server: LiveServer) -> None:
    """A-8 row 8.4: customFields keys with ``.``, a leading ``$`` or nested deeper than 4
    fail their record, never silently dropped; good ones are stored."""
    admin = server.admin()
    admin.post("/api/v1/import.new")
    users = [
        {
            "emails": ["ok@x.io"],
            "importIds": ["1"],
            "username": "ok",
            "customFields": {"team": "A", "meta": {"x": 1}},
        },
        {"emails": ["dot@x.io"], "importIds": ["2"], "username": "dot", "customFields": {"a.b": 1}},
        {
            "emails": ["dollar@x.io"],
            "importIds": ["3"],
            "username": "dollar",
            "customFields": {"$set": {"roles": ["admin"]}},
        },
        {
            "emails": ["deep@x.io"],
            "importIds": ["4"],
            "username": "deep",
            "customFields": {"a": {"b": {"c": {"d": {"e": 1}}}}},
        },
    ]
    assert admin.post("/api/v1/import.addUsers", json={"users": users}).json() == {"success": True}
    assert admin.post("/api/v1/import.run").json() == {"success": True}
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_done")
    assert progress["count"]["error"] == 3
    fields = sorted(
        e["errors"][0]["details"]["field"]
        for e in admin.get("/api/v1/import.errors").json()["errors"]
    )
    assert fields == ["customFields.$set", "customFields.a.b", "customFields.a.b.c.d"]
    ok = admin.get("/api/v1/users.info?username=ok").json()["user"]
    assert ok["customFields"] == {"team": "A", "meta": {"x": 1}}
    assert admin.get("/api/v1/users.info?username=dollar").json()["success"] is False
