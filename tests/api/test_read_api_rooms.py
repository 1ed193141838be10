"""Read API, rooms: rooms.info, rooms.get, rooms.adminRooms, channels.list over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from chatport.clock import iso_ms
from tests.support.server import LiveServer
from tests.workspace.factory import NOW, T0, Seeded, seed_workspace, set_permission


@pytest.fixture
def ws(server: LiveServer) -> Seeded:
    return seed_workspace(server)


def c1_document(ws: Seeded) -> dict[str, Any]:
    return {
        "_id": "C1",
        "t": "c",
        "name": "announcements",
        "fname": "announcements",
        "u": {"_id": ws.a.id, "username": "alice"},
        "default": False,
        "ro": False,
        "sysMes": True,
        "lastMessage": {
            "_id": "c1-4",
            "rid": "C1",
            "msg": "hello 4",
            "ts": iso_ms(T0 + 4000),
            "u": {"_id": ws.a.id, "username": "alice"},
            "_updatedAt": iso_ms(NOW),
        },
        "ts": iso_ms(T0),
        "usersCount": 1,
        "msgs": 8,
        "lm": iso_ms(T0 + 4000),
        "_updatedAt": iso_ms(NOW),
    }


def test_rooms_info_for_a_member(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/rooms.info", params={"roomId": "C1"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"room": c1_document(ws), "success": True}
    assert list(r.json()) == ["room", "success"]
    by_name = ws.alice.get("/api/v1/rooms.info", params={"roomName": "announcements"})
    assert by_name.json() == r.json()


def test_rooms_info_refuses_non_members_as_rocket_chat_does(ws: Seeded) -> None:
    r = ws.bob.get("/api/v1/rooms.info", params={"roomId": "P1"})
    assert r.status_code == 400
    assert r.json() == {"success": False, "error": "not-allowed", "errorType": "Not Allowed"}
    # Public channels need view-c-room for non-members.
    assert ws.alice.get("/api/v1/rooms.info", params={"roomId": "C2"}).status_code == 400
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    assert ws.alice.get("/api/v1/rooms.info", params={"roomId": "C2"}).status_code == 200


def test_admins_read_every_room(ws: Seeded) -> None:
    r = ws.admin.get("/api/v1/rooms.info", params={"roomId": "P1"})
    assert r.status_code == 200
    assert r.json()["room"]["name"] == "secret"
    d = ws.admin.get("/api/v1/rooms.info", params={"roomId": "D1"}).json()["room"]
    assert d["usernames"] == ["alice", "bob"] and d["uids"] == sorted([ws.a.id, ws.b.id])


def test_rooms_info_errors(ws: Seeded) -> None:
    missing = ws.alice.get("/api/v1/rooms.info")
    assert missing.status_code == 400
    assert missing.json() == {
        "success": False,
        "error": 'The parameter "roomId" or "roomName" is required '
        "[error-roomid-param-not-provided]",
        "errorType": "error-roomid-param-not-provided",
    }
    unknown = ws.alice.get("/api/v1/rooms.info", params={"roomId": "nope"})
    assert unknown.json() == {
        "success": False,
        "error": 'The required "roomId" or "roomName" param provided does not match any channel '
        "[error-room-not-found]",
        "errorType": "error-room-not-found",
    }
    # An archived room is answered, as Rocket.Chat's current release does (issue 13).
    archived = ws.alice.get("/api/v1/rooms.info", params={"roomId": "P2"})
    assert archived.status_code == 200, archived.text
    assert archived.json()["room"]["archived"] is True
    assert archived.json()["room"]["name"] == "old-secret"
    anonymous = ws.server.client().get("/api/v1/rooms.info", params={"roomId": "C1"})
    assert anonymous.status_code == 401


def test_rooms_get_lists_the_callers_rooms(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/rooms.get")
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["update", "remove", "success"]
    assert sorted(room["_id"] for room in body["update"]) == ["C1", "D1", "P1", "P2"]
    assert body["remove"] == []
    c1 = next(room for room in body["update"] if room["_id"] == "C1")
    assert c1 == c1_document(ws)
    assert all("importIds" not in room for room in body["update"])
    later = ws.alice.get("/api/v1/rooms.get", params={"updatedSince": iso_ms(NOW)}).json()
    assert later["update"] == []
    bad = ws.alice.get("/api/v1/rooms.get", params={"updatedSince": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["errorType"] == "error-updatedSince-param-invalid"


def test_admin_rooms(ws: Seeded) -> None:
    r = ws.admin.get("/api/v1/rooms.adminRooms")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["rooms", "count", "offset", "total", "success"]
    # Rocket.Chat's default order: default rooms first, then by name (no name first).
    assert [room["_id"] for room in body["rooms"]] == ["GENERAL", "D1", "C1", "P2", "C2", "P1"]
    assert (body["count"], body["offset"], body["total"]) == (6, 0, 6)
    c1 = next(room for room in body["rooms"] if room["_id"] == "C1")
    assert c1 == {
        "_id": "C1",
        "fname": "announcements",
        "name": "announcements",
        "t": "c",
        "u": {"_id": ws.a.id, "username": "alice"},
        "usersCount": 1,
        "ro": False,
        "default": False,
        "msgs": 8,
        "ts": iso_ms(T0),
    }
    assert list(c1) == [
        "_id",
        "fname",
        "name",
        "t",
        "u",
        "usersCount",
        "ro",
        "default",
        "msgs",
        "ts",
    ]


def test_admin_rooms_filters_sorts_and_pages(ws: Seeded) -> None:
    def ids(**params: Any) -> tuple[list[str], int, int]:
        body = ws.admin.get("/api/v1/rooms.adminRooms", params=params).json()
        return [room["_id"] for room in body["rooms"]], body["count"], body["total"]

    assert ids(filter="SEC") == (["P2", "P1"], 2, 2)
    assert ids(types="p") == (["P2", "P1"], 2, 2)
    assert ids(**{"types[]": ["c", "d"]}) == (["GENERAL", "D1", "C1", "C2"], 4, 4)
    assert ids(sort='{"ts":-1,"name":1}', count=2, offset=1) == (["D1", "C1"], 2, 6)
    assert ids(filter="100%_")[2] == 0


def test_admin_rooms_needs_view_room_administration(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/rooms.adminRooms")
    assert r.status_code == 400
    assert r.json() == {"success": False, "error": "error-not-authorized"}


def test_channels_list(ws: Seeded) -> None:
    admin = ws.admin.get("/api/v1/channels.list").json()
    assert list(admin) == ["channels", "count", "offset", "total", "success"]
    assert [c["_id"] for c in admin["channels"]] == ["C1", "GENERAL", "C2"]
    assert admin["total"] == 3
    assert admin["channels"][0] == c1_document(ws)
    # Without view-c-room a user lists only the channels they joined.
    joined = ws.alice.get("/api/v1/channels.list").json()
    assert [c["_id"] for c in joined["channels"]] == ["C1"] and joined["total"] == 1
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    every = ws.alice.get("/api/v1/channels.list", params={"count": 1, "offset": 1}).json()
    assert [c["_id"] for c in every["channels"]] == ["GENERAL"]
    assert (every["count"], every["offset"], every["total"]) == (1, 1, 3)
    one = ws.alice.get("/api/v1/channels.list", params={"_id": "C2"}).json()
    assert [c["_id"] for c in one["channels"]] == ["C2"]


def test_invalid_sort_is_rocket_chats_error(ws: Seeded) -> None:
    for raw in ('{"name":2}', "name", "[1]"):
        r = ws.admin.get("/api/v1/channels.list", params={"sort": raw})
        assert r.status_code == 400
        assert r.json() == {
            "success": False,
            "error": f'Invalid sort parameter provided: "{raw}" [error-invalid-sort]',
            "errorType": "error-invalid-sort",
            "details": {"helperMethod": "parseJsonQuery"},
        }


def test_count_is_bounded(ws: Seeded) -> None:
    body = ws.admin.get("/api/v1/rooms.adminRooms", params={"count": 0}).json()
    assert body["count"] == 6
    far = ws.admin.get("/api/v1/rooms.adminRooms", params={"offset": "1e300"}).json()
    assert (far["rooms"], far["offset"], far["total"]) == ([], 2**31 - 1, 6)
    wrong = ws.admin.get("/api/v1/rooms.adminRooms", params={"count": "many"})
    assert wrong.status_code == 400
    assert wrong.json() == {
        "success": False,
        "errorType": "error-invalid-params",
        "error": "must be number",
    }
