"""Read API, history and sync: channels/groups/im/dm.history, chat.sync*, chat.getDeletedMessages."""

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


def ids(body: dict[str, Any], key: str = "messages") -> list[str]:
    return [m["_id"] for m in body[key]]


def test_channel_history_newest_first_without_hidden_or_replies(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/channels.history", params={"roomId": "C1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["messages", "success"]
    assert ids(body) == ["c1-4", "c1-3", "c1-2", "c1-1", "c1-0"]
    assert body["messages"][2] == {
        "_id": "c1-2",
        "rid": "C1",
        "msg": "hello 2",
        "ts": iso_ms(T0 + 2000),
        "u": {"_id": ws.a.id, "username": "alice"},
        "mentions": [{"_id": ws.b.id, "username": "bob"}],
        "_updatedAt": iso_ms(NOW),
    }
    by_name = ws.alice.get("/api/v1/channels.history", params={"roomName": "announcements"})
    assert ids(by_name.json()) == ids(body)
    threads = ws.alice.get(
        "/api/v1/channels.history", params={"roomId": "C1", "showThreadMessages": "true"}
    ).json()
    assert ids(threads) == ["c1-r2", "c1-r1", "c1-4", "c1-3", "c1-2", "c1-1", "c1-0"]


def test_history_latest_oldest_inclusive_and_paging(ws: Seeded) -> None:
    def get(**params: Any) -> list[str]:
        r = ws.alice.get("/api/v1/channels.history", params={"roomId": "C1", **params})
        assert r.status_code == 200, r.text
        return ids(r.json())

    assert get(latest=iso_ms(T0 + 3000)) == ["c1-2", "c1-1", "c1-0"]
    assert get(latest=iso_ms(T0 + 3000), inclusive="true") == ["c1-3", "c1-2", "c1-1", "c1-0"]
    assert get(oldest=iso_ms(T0 + 1000)) == ["c1-4", "c1-3", "c1-2"]
    assert get(oldest=iso_ms(T0 + 1000), latest=iso_ms(T0 + 3000), inclusive="true") == [
        "c1-3",
        "c1-2",
        "c1-1",
    ]
    # Paging to the end: every message once, in order.
    seen: list[str] = []
    for offset in range(0, 10, 2):
        seen += get(count=2, offset=offset)
    assert seen == ["c1-4", "c1-3", "c1-2", "c1-1", "c1-0"]
    assert get(count=500) == seen  # count is capped, never an error


def test_history_unreads(ws: Seeded) -> None:
    body = ws.alice.get(
        "/api/v1/channels.history",
        params={"roomId": "C1", "unreads": "true", "count": 2, "oldest": iso_ms(T0)},
    ).json()
    assert ids(body) == ["c1-4", "c1-3"]
    assert body["unreadNotLoaded"] == 2  # c1-1, c1-2: after oldest, before the page
    assert body["firstUnread"]["_id"] == "c1-1"
    plain = ws.alice.get(
        "/api/v1/channels.history", params={"roomId": "C1", "unreads": "true"}
    ).json()
    assert plain["unreadNotLoaded"] == 0 and "firstUnread" not in plain


def test_history_errors(ws: Seeded) -> None:
    missing = ws.alice.get("/api/v1/channels.history")
    assert missing.status_code == 400
    assert missing.json()["errorType"] == "error-invalid-params"
    assert "roomId" in missing.json()["error"]
    unknown = ws.alice.get("/api/v1/channels.history", params={"roomId": "nope"})
    assert unknown.json()["errorType"] == "error-room-not-found"
    group_as_channel = ws.alice.get("/api/v1/channels.history", params={"roomId": "P1"})
    assert group_as_channel.json()["errorType"] == "error-room-not-found"
    bad_date = ws.alice.get("/api/v1/channels.history", params={"roomId": "C1", "latest": "x"})
    assert (bad_date.status_code, bad_date.json()["errorType"]) == (400, "error-invalid-date")
    extra = ws.alice.get("/api/v1/channels.history", params={"roomId": "C1", "bogus": "1"})
    assert extra.status_code == 400
    anonymous = ws.server.client().get("/api/v1/channels.history", params={"roomId": "C1"})
    assert anonymous.status_code == 401


def test_history_access(ws: Seeded) -> None:
    # A public channel one has not joined, without view-c-room: 403.
    r = ws.alice.get("/api/v1/channels.history", params={"roomId": "C2"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    assert ids(ws.alice.get("/api/v1/channels.history", params={"roomId": "C2"}).json()) == ["c2-0"]
    # A private group or DM one is not in: never, whatever view-c-room says.
    carol_group = ws.carol.get("/api/v1/groups.history", params={"roomId": "P1"})
    assert carol_group.json()["errorType"] == "error-room-not-found"
    carol_dm = ws.carol.get("/api/v1/im.history", params={"roomId": "D1"})
    assert (carol_dm.status_code, carol_dm.json()) == (403, FORBIDDEN)
    # The admin reads everything.
    assert ids(ws.admin.get("/api/v1/groups.history", params={"roomId": "P1"}).json()) == [
        "p1-1",
        "p1-0",
    ]


def test_group_and_direct_history(ws: Seeded) -> None:
    group = ws.alice.get("/api/v1/groups.history", params={"roomName": "secret"}).json()
    assert ids(group) == ["p1-1", "p1-0"]
    archived = ws.alice.get("/api/v1/groups.history", params={"roomId": "P2"}).json()
    assert ids(archived) == ["p2-0"]  # history reads archived groups
    for route in ("im.history", "dm.history"):
        dm = ws.bob.get(f"/api/v1/{route}", params={"roomId": "D1"}).json()
        assert ids(dm) == ["d1-1", "d1-0"]
    no_room = ws.alice.get("/api/v1/im.history")
    assert no_room.status_code == 400


def test_private_rooms_need_view_p_and_d_room(ws: Seeded) -> None:
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-p-room", ["admin"])
        set_permission(conn, "view-d-room", ["admin"])
    group = ws.alice.get("/api/v1/groups.history", params={"roomId": "P1"})
    assert group.json()["errorType"] == "error-room-not-found"
    dm = ws.alice.get("/api/v1/im.history", params={"roomId": "D1"})
    assert (dm.status_code, dm.json()) == (403, FORBIDDEN)


def test_sync_messages(ws: Seeded) -> None:
    since = ws.alice.get(
        "/api/v1/chat.syncMessages", params={"roomId": "C1", "lastUpdate": iso_ms(NOW - 1)}
    )
    assert since.status_code == 200, since.text
    result = since.json()["result"]
    assert result["deleted"] == []
    assert set(ids(result, "updated")) == {"c1-0", "c1-1", "c1-2", "c1-3", "c1-4", "c1-r1", "c1-r2"}
    nothing = ws.alice.get(
        "/api/v1/chat.syncMessages", params={"roomId": "C1", "lastUpdate": iso_ms(NOW)}
    ).json()["result"]
    assert nothing["updated"] == []
    # Cursor paging over UPDATED reaches every message once.
    seen: list[str] = []
    params: dict[str, Any] = {"roomId": "C1", "type": "UPDATED", "count": 3}
    while True:
        page = ws.alice.get("/api/v1/chat.syncMessages", params=params).json()["result"]
        seen += ids(page, "updated")
        if not page["cursor"]["next"]:
            break
        params["next"] = page["cursor"]["next"]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 7
    errors = [
        ({}, "error-param-required"),
        ({"roomId": "C1"}, "error-param-required"),
        ({"roomId": "C1", "lastUpdate": "not a date"}, "error-lastUpdate-param-invalid"),
    ]
    for bad, error in errors:
        r = ws.alice.get("/api/v1/chat.syncMessages", params=bad)
        assert (r.status_code, r.json().get("errorType")) == (400, error), bad
    refused = ws.carol.get(
        "/api/v1/chat.syncMessages", params={"roomId": "P1", "lastUpdate": iso_ms(T0)}
    )
    assert (refused.status_code, refused.json()) == (400, {"success": False})


def test_deleted_and_thread_sync(ws: Seeded) -> None:
    deleted = ws.alice.get(
        "/api/v1/chat.getDeletedMessages", params={"roomId": "C1", "since": iso_ms(T0)}
    ).json()
    assert deleted == {"messages": [], "count": 0, "offset": 0, "total": 0, "success": True}
    refused = ws.carol.get(
        "/api/v1/chat.getDeletedMessages", params={"roomId": "P1", "since": iso_ms(T0)}
    )
    assert refused.json()["errorType"] == "error-not-allowed"
    thread = ws.alice.get(
        "/api/v1/chat.syncThreadMessages", params={"tmid": "c1-0", "updatedSince": iso_ms(T0)}
    ).json()
    assert ids(thread["messages"], "update") == ["c1-r1", "c1-r2"]
    assert thread["messages"]["remove"] == []
    threads = ws.alice.get(
        "/api/v1/chat.syncThreadsList", params={"rid": "C1", "updatedSince": iso_ms(T0)}
    ).json()
    assert ids(threads["threads"], "update") == ["c1-0"]
    bad = ws.alice.get(
        "/api/v1/chat.syncThreadsList", params={"rid": "C1", "updatedSince": "never"}
    )
    assert bad.json()["errorType"] == "error-updatedSince-param-invalid"
    hidden = ws.carol.get(
        "/api/v1/chat.syncThreadsList", params={"rid": "P1", "updatedSince": iso_ms(T0)}
    )
    assert hidden.json()["errorType"] == "error-not-allowed"
