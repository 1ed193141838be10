"""Read API, message lists and search: files, pins, mentions, stars, threads, discussions,
chat.search (on each backend's full-text index), directory, spotlight, roles, users.info."""

from __future__ import annotations

from typing import Any

import pytest

from chatport.accounts.repository import add_import_ids
from chatport.accounts.settings_registry import SEARCH_ALWAYS_REGEXP, THREADS_ENABLED
from chatport.workspace.messages import write_messages
from chatport.workspace.uploads import save_upload
from tests.support.server import LiveServer
from tests.workspace.factory import NOW, T0, Seeded, message, seed_workspace, set_permission

DAY = 86_400_000


@pytest.fixture
def ws(server: LiveServer) -> Seeded:
    seeded = seed_workspace(server)
    a, b = seeded.a, seeded.b
    with server.ctx.engine.begin() as conn:
        write_messages(
            conn,
            [
                message("s-1", "C1", a, T0 + 10_000, "The quarterly roadmap review"),
                message(
                    "s-2",
                    "C1",
                    b,
                    T0 + 11_000,
                    "roadmap: see https://example.com/plan",
                    urls=[{"url": "https://example.com/plan"}],
                ),
                message(
                    "s-3",
                    "C1",
                    a,
                    T0 + DAY,
                    "Lunch at noon?",
                    mentions=[{"_id": b.id, "username": "bob"}],
                    starred=[{"_id": a.id}],
                ),
                message("s-4", "C1", b, T0 + 2 * DAY, "the Quarterly numbers are in", pinned=True),
                message("s-5", "C1", a, T0 + 3 * DAY, "spin-off", drid="DISC1"),
                message("s-6", "C1", a, T0 + 3 * DAY + 1, "removed", t="rm"),
                message("p-s", "P1", a, T0 + 5000, "secret roadmap"),
            ],
            now=NOW,
        )
    return seeded


def ids(body: dict[str, Any], key: str = "messages") -> list[str]:
    return [m["_id"] for m in body[key]]


def search(ws: Seeded, text: str, room: str = "C1", who: str = "alice", **extra: Any) -> Any:
    client = getattr(ws, who)
    return client.get("/api/v1/chat.search", params={"roomId": room, "searchText": text, **extra})


def found(ws: Seeded, text: str, **extra: Any) -> list[str]:
    r = search(ws, text, **extra)
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["messages", "success"]
    return ids(r.json())


def test_search_words_phrases_and_exclusions(ws: Seeded) -> None:
    assert found(ws, "roadmap") == ["s-2", "s-1"]  # newest first, only this room
    assert found(ws, "ROADMAP") == ["s-2", "s-1"]  # case-insensitive
    assert found(ws, "quarterly lunch") == ["s-4", "s-3", "s-1"]  # any of the words
    assert found(ws, '"quarterly roadmap"') == ["s-1"]  # a phrase must be there
    assert found(ws, "roadmap -review") == ["s-2"]
    assert found(ws, "example") == ["s-2"]  # words inside a URL
    assert found(ws, "removed") == []  # t: rm is never found
    assert found(ws, "pending") == []  # hidden messages neither
    assert found(ws, "nothingmatches") == []
    assert found(ws, "roadmap", count=1) == ["s-2"]
    assert found(ws, "roadmap", count=1, offset=1) == ["s-1"]


def test_search_operators(ws: Seeded) -> None:
    assert found(ws, "from:bob roadmap") == ["s-2"]
    assert found(ws, "from:me quarterly") == ["s-1"]
    assert found(ws, "mention:bob") == ["s-3", "c1-2"]
    assert found(ws, "has:star") == ["s-3"]
    assert found(ws, "has:url") == ["s-2"]
    assert found(ws, "is:pinned") == ["s-4", "c1-3"]
    assert found(ws, "quarterly order:asc") == ["s-1", "s-4"]
    day = "13/09/2020"  # T0 is 2020-09-13T12:26:40Z
    assert "s-3" not in found(ws, f"on:{day}") and "s-1" in found(ws, f"on:{day}")
    assert found(ws, "after:13/09/2020 quarterly") == ["s-4"]
    assert found(ws, "before:14/09/2020 quarterly") == ["s-1"]


def test_search_regular_expressions(ws: Seeded) -> None:
    assert found(ws, "/road.*review/") == ["s-1"]
    assert found(ws, "/QUARTERLY/") == []  # flags given: case-sensitive
    assert found(ws, "/QUARTERLY/i") == ["s-4", "s-1"]
    ws.server.ctx.settings.set(SEARCH_ALWAYS_REGEXP, True)
    assert found(ws, "noo?n") == ["s-3"]
    bad = search(ws, "/(unclosed/")
    assert (bad.status_code, bad.json()["errorType"]) == (400, "error-invalid-search")
    catastrophic = search(ws, "/(a+)+b/")
    assert catastrophic.json()["errorType"] == "error-invalid-search"
    assert "exponential" in catastrophic.json()["error"]


def test_search_access_and_errors(ws: Seeded) -> None:
    assert search(ws, "roadmap", room="P1", who="carol").json() == {"success": False}
    assert search(ws, "roadmap", room="P1").json()["messages"][0]["_id"] == "p-s"
    missing = ws.alice.get("/api/v1/chat.search", params={"roomId": "C1"})
    assert missing.json()["errorType"] == "error-searchText-param-not-provided"
    no_room = ws.alice.get("/api/v1/chat.search", params={"searchText": "x"})
    assert no_room.json()["errorType"] == "error-roomId-param-not-provided"
    assert ws.server.client().get("/api/v1/chat.search").status_code == 401


def test_pinned_mentioned_starred(ws: Seeded) -> None:
    pinned = ws.alice.get("/api/v1/chat.getPinnedMessages", params={"roomId": "C1"}).json()
    assert ids(pinned) == ["s-4", "c1-3"] and pinned["total"] == 2
    refused_public = ws.bob.get("/api/v1/chat.getMentionedMessages", params={"roomId": "C1"})
    assert refused_public.json() == {"success": False, "error": "error-not-allowed"}
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    mentioned = ws.bob.get("/api/v1/chat.getMentionedMessages", params={"roomId": "C1"})
    assert ids(mentioned.json()) == ["s-3", "c1-2"]
    starred = ws.alice.get("/api/v1/chat.getStarredMessages", params={"roomId": "C1"}).json()
    assert ids(starred) == ["s-3"]
    refused = ws.carol.get("/api/v1/chat.getPinnedMessages", params={"roomId": "P1"})
    assert refused.json()["errorType"] == "error-not-allowed"
    refused = ws.carol.get("/api/v1/chat.getStarredMessages", params={"roomId": "P1"})
    assert refused.json() == {"success": False, "error": "error-not-allowed"}


def test_threads_and_discussions(ws: Seeded) -> None:
    threads = ws.alice.get("/api/v1/chat.getThreadsList", params={"rid": "C1"}).json()
    assert ids(threads, "threads") == ["c1-0"] and threads["total"] == 1
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    params = {"rid": "C1", "type": "following"}
    following = ws.bob.get("/api/v1/chat.getThreadsList", params=params)
    assert ids(following.json(), "threads") == ["c1-0"]
    assert ws.carol.get("/api/v1/chat.getThreadsList", params=params).json()["threads"] == []
    text = ws.alice.get("/api/v1/chat.getThreadsList", params={"rid": "C1", "text": "HELLO 0"})
    assert ids(text.json(), "threads") == ["c1-0"]
    none = ws.alice.get("/api/v1/chat.getThreadsList", params={"rid": "C1", "text": "zzz"})
    assert none.json()["threads"] == []
    unread = ws.alice.get("/api/v1/chat.getThreadsList", params={"rid": "C1", "type": "unread"})
    assert unread.json()["threads"] == []
    bad = ws.alice.get("/api/v1/chat.getThreadsList", params={"rid": "C1", "type": "odd"})
    assert bad.status_code == 400
    refused = ws.carol.get("/api/v1/chat.getThreadsList", params={"rid": "P1"})
    assert refused.json()["errorType"] == "error-not-allowed"
    discussions = ws.alice.get("/api/v1/chat.getDiscussions", params={"roomId": "C1"}).json()
    assert ids(discussions) == ["s-5"]
    ws.server.ctx.settings.set(THREADS_ENABLED, False)
    off = ws.alice.get("/api/v1/chat.getThreadsList", params={"rid": "C1"})
    assert off.json()["error"] == "Threads Disabled [error-not-allowed]"


def test_room_files(ws: Seeded) -> None:
    with ws.server.ctx.engine.begin() as conn:
        for name, group in (("b-report.pdf", "application"), ("a-photo.png", "image")):
            save_upload(
                conn,
                {
                    "rid": "P1",
                    "userId": ws.a.id,
                    "name": name,
                    "typeGroup": group,
                    "type": "application/pdf",
                    "size": 10,
                    "uploadedAt": T0,
                },
                now=NOW,
            )
    files = ws.alice.get("/api/v1/groups.files", params={"roomId": "P1"}).json()
    assert [f["name"] for f in files["files"]] == ["a-photo.png", "b-report.pdf"]
    assert files["files"][0]["user"] == {"_id": ws.a.id, "username": "alice", "name": "alice"}
    images = ws.alice.get("/api/v1/groups.files", params={"roomId": "P1", "typeGroup": "image"})
    assert [f["name"] for f in images.json()["files"]] == ["a-photo.png"]
    named = ws.alice.get("/api/v1/groups.files", params={"roomId": "P1", "name": "REPORT"})
    assert [f["name"] for f in named.json()["files"]] == ["b-report.pdf"]
    assert ws.carol.get("/api/v1/groups.files", params={"roomId": "P1"}).status_code == 400
    assert ws.alice.get("/api/v1/channels.files", params={"roomId": "C1"}).json()["total"] == 0
    assert ws.alice.get("/api/v1/im.files", params={"roomId": "D1"}).json()["files"] == []
    assert ws.carol.get("/api/v1/dm.files", params={"roomId": "D1"}).status_code == 403


def test_directory_spotlight_and_roles(ws: Seeded) -> None:
    users = ws.alice.get("/api/v1/directory", params={"type": "users", "text": "bo"}).json()
    assert [u["username"] for u in users["result"]] == ["bob"]
    channels = ws.admin.get("/api/v1/directory", params={"text": "ann"}).json()
    assert [c["name"] for c in channels["result"]] == ["announcements"]
    # Without view-c-room a user lists only the public channels they joined.
    mine = ws.alice.get("/api/v1/directory").json()
    assert sorted(c["name"] for c in mine["result"]) == ["announcements"]
    spot = ws.alice.get("/api/v1/spotlight", params={"query": "sec"}).json()
    assert [r["name"] for r in spot["rooms"]] == ["old-secret", "secret"]
    assert ws.carol.get("/api/v1/spotlight", params={"query": "sec"}).json()["rooms"] == []
    roles = ws.alice.get("/api/v1/roles.list").json()["roles"]
    assert {"admin", "user", "owner"} <= {r["_id"] for r in roles}
    in_role = ws.admin.get("/api/v1/roles.getUsersInRole", params={"role": "owner", "roomId": "C1"})
    assert [u["username"] for u in in_role.json()["users"]] == ["alice"]
    assert (
        ws.alice.get("/api/v1/roles.getUsersInRole", params={"role": "admin"}).json()["errorType"]
        == "error-not-allowed"
    )
    avatar = ws.alice.get("/api/v1/users.getAvatar", params={"username": "bob"})
    assert (avatar.status_code, avatar.headers["location"]) == (307, "/avatar/bob")


def test_users_info_by_import_id_with_rooms(ws: Seeded) -> None:
    with ws.server.ctx.engine.begin() as conn:
        add_import_ids(conn, ws.b.id, "slack:T1", ["U0BOB"])
    by_import = ws.admin.get("/api/v1/users.info", params={"importId": "U0BOB"}).json()
    assert by_import["user"]["username"] == "bob"
    assert "rooms" not in by_import["user"]
    mine = ws.alice.get(
        "/api/v1/users.info", params={"userId": ws.a.id, "includeUserRooms": "true"}
    )
    assert {r["rid"] for r in mine.json()["user"]["rooms"]} >= {"C1", "P1", "D1"}
    others = ws.alice.get(
        "/api/v1/users.info", params={"userId": ws.b.id, "includeUserRooms": "true"}
    ).json()
    assert "rooms" not in others["user"]  # needs view-other-user-channels
    admin_view = ws.admin.get(
        "/api/v1/users.info", params={"username": "bob", "includeUserRooms": "true"}
    ).json()
    assert {r["rid"] for r in admin_view["user"]["rooms"]} >= {"C2", "D1"}
    unknown = ws.admin.get("/api/v1/users.info", params={"importId": "U404"})
    assert unknown.json()["errorType"] == "error-invalid-user"
