"""Room matching never widens who reads a message, and default rooms get their members
(importers §1.7, §1.8; issue "What an administrator meets", defects 1 and 2)."""

from __future__ import annotations

from typing import Any

from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import Client, LiveServer

USERS = [
    {
        "id": "U1",
        "team_id": "T1",
        "name": "ann",
        "profile": {"real_name": "Ann", "email": "ann@x.io"},
    },
    {
        "id": "U2",
        "team_id": "T1",
        "name": "bob",
        "profile": {"real_name": "Bob", "email": "bob@x.io"},
    },
    {
        "id": "U3",
        "team_id": "T1",
        "name": "cid",
        "profile": {"real_name": "Cid", "email": "cid@x.io"},
    },
]


def _public_security() -> bytes:
    """From another Slack workspace (team T0): another namespace, so only the name meets."""
    users = [dict(USERS[0], team_id="T0")]
    channels = [
        {
            "id": "C1",
            "name": "general",
            "is_general": True,
            "creator": "U1",
            "members": ["U1"],
            "created": 1500000000,
        },
        {"id": "C9", "name": "security", "creator": "U1", "members": ["U1"], "created": 1500000000},
    ]
    day = [{"type": "message", "user": "U1", "text": "public words", "ts": "1600000000.000100"}]
    return build_export(
        {"users.json": users, "channels.json": channels, "security/2020-09-13.json": day}
    )


def _private_security() -> bytes:
    groups = [
        {
            "id": "G7",
            "name": "security",
            "creator": "U2",
            "members": ["U2", "U3"],
            "created": 1500000000,
        }
    ]
    channels = [
        {
            "id": "C1",
            "name": "general",
            "is_general": True,
            "creator": "U1",
            "members": ["U1", "U2", "U3"],
            "created": 1500000000,
        }
    ]
    day = [{"type": "message", "user": "U2", "text": "secret words", "ts": "1600000001.000100"}]
    return build_export(
        {
            "users.json": USERS,
            "channels.json": channels,
            "groups.json": groups,
            "security/2020-09-13.json": day,
        }
    )


def _rooms(admin: Client) -> dict[str, dict[str, Any]]:
    rooms = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    return {r["name"]: r for r in rooms if r.get("name")}


def _texts(admin: Client, route: str, room_id: str) -> list[str]:
    body = admin.get(f"/api/v1/{route}?roomId={room_id}&count=100").json()
    return sorted(m["msg"] for m in body["messages"])


def test_private_group_never_merges_into_public_channel(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    load(server, admin, files, _public_security())
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"

    selection = load(server, admin, files, _private_security(), path="/second.zip")
    (group,) = [c for c in selection["channels"] if c["channel_id"] == "G7"]
    assert group["imported_as"] == "security-2"
    assert "public channel #security exists" in group["name_conflict"]
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress

    rooms = _rooms(admin)
    public, private = rooms["security"], rooms["security-2"]
    assert (public["t"], private["t"]) == ("c", "p")
    assert private["fname"] == "security"
    assert _texts(admin, "channels.messages", public["_id"]) == ["public words"]
    assert _texts(admin, "groups.messages", private["_id"]) == ["secret words"]
    assert public["usersCount"] == 1 and private["usersCount"] == 2

    warned = admin.get("/api/v1/import.errors?warnings=true").json()["errors"]
    (record,) = [w for w in warned if w.get("importId") == "G7"]
    (renamed,) = [
        w for w in record["warnings"] if w["message"] == "importer-channel-name-normalised"
    ]
    assert renamed["details"]["original"] == "security"
    assert "never merged" in renamed["details"]["reason"]


def test_public_channel_never_merges_into_private_group(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    load(server, admin, files, _private_security())
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    load(server, admin, files, _public_security(), path="/second.zip")
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    rooms = _rooms(admin)
    assert rooms["security"]["t"] == "p" and rooms["security-2"]["t"] == "c"
    assert _texts(admin, "groups.messages", rooms["security"]["_id"]) == ["secret words"]


def test_same_type_still_merges_by_name(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    load(server, admin, files, _public_security())
    run_import(server, admin, EVERYTHING)
    other = _public_security().replace(b'"C9"', b'"C8"')
    selection = load(server, admin, files, other, path="/again.zip")
    assert not any("imported_as" in c for c in selection["channels"])
    run_import(server, admin, EVERYTHING)
    assert "security-2" not in _rooms(admin)


def test_everyone_imported_joins_general(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    load(server, admin, files, _private_security())
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    general = _rooms(admin)["general"]
    assert general["_id"] == "GENERAL"
    # ann, bob and cid: the members of Slack's general channel and every imported user.
    assert general["usersCount"] == 3
    again = load(server, admin, files, _private_security(), path="/again.zip")
    assert again["users"]
    run_import(server, admin, EVERYTHING)
    assert _rooms(admin)["general"]["usersCount"] == 3


def test_users_not_in_general_record_still_join_general(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    channels = [
        {
            "id": "C1",
            "name": "general",
            "is_general": True,
            "creator": "U1",
            "members": ["U1"],
            "created": 1500000000,
        },
        {
            "id": "C2",
            "name": "dev",
            "creator": "U1",
            "members": ["U1", "U2"],
            "created": 1500000000,
        },
    ]
    load(server, admin, files, build_export({"users.json": USERS, "channels.json": channels}))
    run_import(server, admin, EVERYTHING)
    assert _rooms(admin)["general"]["usersCount"] == 3
    bob = admin.get("/api/v1/users.info?username=bob").json()["user"]
    assert bob["username"] == "bob"


def test_selection_marks_existing_accounts(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.create_user(admin, "bob")  # bob@rocket.chat: a username match
    r = admin.post(
        "/api/v1/users.create",
        json={"email": "cid@x.io", "name": "C", "username": "cidney", "password": "pw-12345678"},
    )
    assert r.status_code == 200, r.text
    selection = load(server, admin, files, _private_security())
    by_id = {u["user_id"]: u for u in selection["users"]}
    assert by_id["U1"]["is_email_taken"] is False and "existing_user" not in by_id["U1"]
    assert by_id["U2"]["is_email_taken"] is False and by_id["U2"]["existing_user"] == "bob"
    assert by_id["U3"]["is_email_taken"] is True and by_id["U3"]["existing_user"] == "cidney"


def test_csv_private_channel_never_merges_into_public_one(
    server: LiveServer, files: FileServer
) -> None:
    """The same rule for every importer: CSV's private channel meets Slack's public one."""
    admin = server.admin()
    load(server, admin, files, _public_security())
    run_import(server, admin, EVERYTHING)
    body = build_export(
        {},
        {
            "users.csv": b"cid, cid@x.io, Cid\n",
            "channels.csv": b'"security","cid","private","cid"\n',
            "security/messages.csv": b'"cid","1600000009000","csv secret"\n',
        },
    )
    selection = load(server, admin, files, body, importer="csv", path="/csv.zip")
    (item,) = [c for c in selection["channels"] if c["name"] == "security"]
    assert item["imported_as"] == "security-2"
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    rooms = _rooms(admin)
    assert rooms["security-2"]["t"] == "p"
    assert _texts(admin, "groups.messages", rooms["security-2"]["_id"]) == ["csv secret"]
    assert _texts(admin, "channels.messages", rooms["security"]["_id"]) == ["public words"]
