"""Read API, messages: channels/groups/im/dm.messages, chat.getMessage, chat.getThreadMessages."""

from __future__ import annotations

from typing import Any

import pytest

from chatport.clock import iso_ms
from tests.support.server import LiveServer
from tests.workspace.factory import NOW, T0, Seeded, seed_workspace, set_permission

FORBIDDEN = {"success": False, "error": "unauthorized"}


@pytest.fixture
def ws(server: LiveServer) -> Seeded:
    return seed_workspace(server)


def ids(body: dict[str, Any]) -> list[str]:
    return [m["_id"] for m in body["messages"]]


def test_channel_messages_newest_first_without_hidden(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/channels.messages", params={"roomId": "C1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["messages", "count", "offset", "total", "success"]
    assert ids(body) == ["c1-r2", "c1-r1", "c1-4", "c1-3", "c1-2", "c1-1", "c1-0"]
    assert (body["count"], body["offset"], body["total"]) == (7, 0, 7)
    by_id = {m["_id"]: m for m in body["messages"]}
    assert by_id["c1-2"] == {
        "_id": "c1-2",
        "rid": "C1",
        "msg": "hello 2",
        "ts": iso_ms(T0 + 2000),
        "u": {"_id": ws.a.id, "username": "alice"},
        "mentions": [{"_id": ws.b.id, "username": "bob"}],
        "_updatedAt": iso_ms(NOW),
    }
    # The file message's source URL never leaves the server.
    assert "_importFile" not in by_id["c1-1"]
    assert "s3cret" not in r.text
    parent = by_id["c1-0"]
    assert (parent["tcount"], parent["tlm"]) == (2, iso_ms(T0 + 7000))
    assert parent["replies"] == sorted([ws.a.id, ws.b.id])
    assert by_id["c1-r1"]["tmid"] == "c1-0"


def test_channel_messages_pagination_and_sort(ws: Seeded) -> None:
    params = {"roomId": "C1", "count": 2, "offset": 1, "sort": '{"ts":1}'}
    body = ws.alice.get("/api/v1/channels.messages", params=params).json()
    assert ids(body) == ["c1-1", "c1-2"]
    assert (body["count"], body["offset"], body["total"]) == (2, 1, 7)
    beyond = ws.alice.get("/api/v1/channels.messages", params={**params, "offset": 50}).json()
    assert (beyond["messages"], beyond["count"], beyond["total"]) == ([], 0, 7)


def test_channel_message_filters(ws: Seeded) -> None:
    def get(**params: Any) -> list[str]:
        r = ws.alice.get("/api/v1/channels.messages", params={"roomId": "C1", **params})
        assert r.status_code == 200, r.text
        return ids(r.json())

    assert get(mentionIds=ws.b.id) == ["c1-2"]
    assert get(mentionIds=f"nobody, {ws.b.id}") == ["c1-2"]
    assert get(starredIds=ws.b.id) == []
    assert get(pinned="true") == ["c1-3"]


def test_channel_messages_access(ws: Seeded) -> None:
    # Not a member, no view-c-room: Rocket.Chat's bare 403.
    r = ws.alice.get("/api/v1/channels.messages", params={"roomId": "C2"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    assert ids(ws.alice.get("/api/v1/channels.messages", params={"roomId": "C2"}).json()) == [
        "c2-0"
    ]
    # Guests and bots (view-joined-room) read only the channels they joined.
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-joined-room", ["user"])
    r = ws.alice.get("/api/v1/channels.messages", params={"roomId": "C2"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    assert ws.alice.get("/api/v1/channels.messages", params={"roomId": "C1"}).status_code == 200


def test_channel_messages_errors(ws: Seeded) -> None:
    for room_id in ("P1", "nope"):
        r = ws.admin.get("/api/v1/channels.messages", params={"roomId": room_id})
        assert r.status_code == 400
        assert r.json() == {
            "success": False,
            "error": 'The required "roomId" or "roomName" param provided does not match any '
            "channel [error-room-not-found]",
            "errorType": "error-room-not-found",
        }
    missing = ws.admin.get("/api/v1/channels.messages")
    assert missing.json() == {
        "success": False,
        "errorType": "error-invalid-params",
        "error": "must have required property 'roomId'",
    }
    extra = ws.admin.get("/api/v1/channels.messages", params={"roomId": "C1", "x": "1"})
    assert extra.json()["error"] == "must NOT have additional properties"
    assert ws.server.client().get("/api/v1/channels.messages").status_code == 401


def test_group_messages(ws: Seeded) -> None:
    body = ws.alice.get("/api/v1/groups.messages", params={"roomId": "P1"}).json()
    assert ids(body) == ["p1-1", "p1-0"] and body["total"] == 2
    by_name = ws.alice.get("/api/v1/groups.messages", params={"roomName": "secret"}).json()
    assert by_name == body
    # Admins read every room (chatport's admin rule).
    assert ids(ws.admin.get("/api/v1/groups.messages", params={"roomId": "P1"}).json()) == [
        "p1-1",
        "p1-0",
    ]
    not_found = {
        "success": False,
        "error": 'The required "roomId" or "roomName" param provided does not match any group '
        "[error-room-not-found]",
        "errorType": "error-room-not-found",
    }
    assert ws.bob.get("/api/v1/groups.messages", params={"roomId": "P1"}).json() == not_found
    assert ws.alice.get("/api/v1/groups.messages", params={"roomId": "C1"}).json() == not_found
    archived = ws.alice.get("/api/v1/groups.messages", params={"roomId": "P2"})
    assert archived.json() == {
        "success": False,
        "error": "The private group, old-secret, is archived [error-room-archived]",
        "errorType": "error-room-archived",
    }
    neither = ws.alice.get("/api/v1/groups.messages", params={"roomId": ""})
    assert neither.json()["errorType"] == "error-room-param-not-provided"
    none = ws.alice.get("/api/v1/groups.messages")
    assert none.json()["errorType"] == "error-invalid-params"


@pytest.mark.parametrize("route", ["im.messages", "dm.messages"])
def test_direct_messages(ws: Seeded, route: str) -> None:
    path = f"/api/v1/{route}"
    body = ws.alice.get(path, params={"roomId": "D1"}).json()
    assert ids(body) == ["d1-1", "d1-0"] and body["total"] == 2
    assert ws.alice.get(path, params={"username": "bob"}).json() == body
    assert ws.bob.get(path, params={"username": "alice"}).json() == body
    assert ws.alice.get(path, params={"roomId": ws.b.id}).json() == body
    assert ids(ws.admin.get(path, params={"roomId": "D1"}).json()) == ["d1-1", "d1-0"]
    # A stranger gets Rocket.Chat's 403; a room of another type is not a DM.
    r = ws.carol.get(path, params={"roomId": "D1"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    invalid = {"success": False, "error": "[invalid-channel]", "errorType": "invalid-channel"}
    assert ws.alice.get(path, params={"roomId": "C1"}).json() == invalid
    assert ws.alice.get(path, params={"roomId": "nope"}).json() == invalid
    # No DM yet with carol: an empty page, and nothing is created.
    empty = ws.alice.get(path, params={"username": "carol"}).json()
    assert empty == {"messages": [], "count": 0, "offset": 0, "total": 0, "success": True}
    none = ws.alice.get(path)
    assert none.json() == {
        "success": False,
        "errorType": "error-invalid-params",
        "error": "must have required property 'roomId'",
    }


def test_get_message(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/chat.getMessage", params={"msgId": "c1-1"})
    assert r.status_code == 200
    assert r.json() == {
        "message": {
            "_id": "c1-1",
            "rid": "C1",
            "msg": "hello 1",
            "ts": iso_ms(T0 + 1000),
            "u": {"_id": ws.a.id, "username": "alice"},
            "_updatedAt": iso_ms(NOW),
        },
        "success": True,
    }
    denied = ws.carol.get("/api/v1/chat.getMessage", params={"msgId": "p1-0"})
    assert denied.status_code == 400
    assert denied.json() == {
        "success": False,
        "error": "Not allowed [error-not-allowed]",
        "errorType": "error-not-allowed",
        "details": {"method": "getSingleMessage"},
    }
    unknown = ws.alice.get("/api/v1/chat.getMessage", params={"msgId": "nope"})
    assert (unknown.status_code, unknown.json()) == (400, {"success": False})
    empty = ws.alice.get("/api/v1/chat.getMessage", params={"msgId": ""})
    assert empty.json() == {
        "success": False,
        "error": 'The "msgId" query parameter must be provided.',
    }
    missing = ws.alice.get("/api/v1/chat.getMessage")
    assert missing.json()["error"] == "must have required property 'msgId'"


def test_thread_messages(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/chat.getThreadMessages", params={"tmid": "c1-0"})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["messages", "count", "offset", "total", "success"]
    assert ids(body) == ["c1-r1", "c1-r2"]
    assert body["messages"][0] == {
        "_id": "c1-r1",
        "rid": "C1",
        "msg": "first reply",
        "ts": iso_ms(T0 + 6000),
        "u": {"_id": ws.b.id, "username": "bob"},
        "tmid": "c1-0",
        "_updatedAt": iso_ms(NOW),
    }
    page = ws.alice.get(
        "/api/v1/chat.getThreadMessages",
        params={"tmid": "c1-0", "sort": '{"ts":-1}', "count": 1},
    ).json()
    assert ids(page) == ["c1-r2"] and (page["count"], page["total"]) == (1, 2)
    invalid = ws.alice.get("/api/v1/chat.getThreadMessages", params={"tmid": "nope"})
    assert invalid.json() == {
        "success": False,
        "error": "Invalid Message [error-invalid-message]",
        "errorType": "error-invalid-message",
    }
    denied = ws.carol.get("/api/v1/chat.getThreadMessages", params={"tmid": "c1-0"})
    assert denied.json() == {
        "success": False,
        "error": "Not Allowed [error-not-allowed]",
        "errorType": "error-not-allowed",
    }
