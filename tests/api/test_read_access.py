"""A plain user never reads a private group or a DM they are not in, by any read route (and
not a public channel they have not joined, without ``view-c-room``): one case per route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chatport.clock import iso_ms
from tests.support.databases import backends, fresh_database
from tests.support.server import start_server
from tests.workspace.factory import T0, Seeded, seed_workspace

SINCE = iso_ms(T0 - 1000)

# (route, params): "{rid}" is the room's id, "{name}" its name.
ROOM_ROUTES: list[tuple[str, dict[str, str]]] = [
    ("channels.history", {"roomId": "{rid}"}),
    ("channels.messages", {"roomId": "{rid}"}),
    ("channels.info", {"roomId": "{rid}"}),
    ("channels.members", {"roomId": "{rid}"}),
    ("channels.files", {"roomId": "{rid}"}),
    ("channels.counters", {"roomId": "{rid}"}),
    ("channels.roles", {"roomId": "{rid}"}),
    ("channels.moderators", {"roomId": "{rid}"}),
    ("groups.history", {"roomId": "{rid}"}),
    ("groups.messages", {"roomId": "{rid}"}),
    ("groups.info", {"roomName": "{name}"}),
    ("groups.members", {"roomId": "{rid}"}),
    ("groups.files", {"roomId": "{rid}"}),
    ("groups.counters", {"roomId": "{rid}"}),
    ("groups.roles", {"roomId": "{rid}"}),
    ("groups.moderators", {"roomId": "{rid}"}),
    ("im.history", {"roomId": "{rid}"}),
    ("dm.history", {"roomId": "{rid}"}),
    ("im.messages", {"roomId": "{rid}"}),
    ("dm.messages", {"roomId": "{rid}"}),
    ("im.members", {"roomId": "{rid}"}),
    ("dm.members", {"roomId": "{rid}"}),
    ("im.files", {"roomId": "{rid}"}),
    ("dm.files", {"roomId": "{rid}"}),
    ("im.counters", {"roomId": "{rid}"}),
    ("dm.counters", {"roomId": "{rid}"}),
    ("rooms.info", {"roomId": "{rid}"}),
    ("chat.search", {"roomId": "{rid}", "searchText": "secret"}),
    ("chat.getPinnedMessages", {"roomId": "{rid}"}),
    ("chat.getMentionedMessages", {"roomId": "{rid}"}),
    ("chat.getStarredMessages", {"roomId": "{rid}"}),
    ("chat.getDiscussions", {"roomId": "{rid}"}),
    ("chat.getThreadsList", {"rid": "{rid}"}),
    ("chat.syncThreadsList", {"rid": "{rid}", "updatedSince": SINCE}),
    ("chat.syncMessages", {"roomId": "{rid}", "lastUpdate": SINCE}),
    ("chat.getDeletedMessages", {"roomId": "{rid}", "since": SINCE}),
]
MESSAGE_ROUTES: list[tuple[str, dict[str, str]]] = [
    ("chat.getMessage", {"msgId": "{mid}"}),
    ("chat.getThreadMessages", {"tmid": "{mid}"}),
    ("chat.syncThreadMessages", {"tmid": "{mid}", "updatedSince": SINCE}),
]
ROOMS = {
    "private group": ("P1", "secret", "p1-0", ("secret 0", "secret 1")),
    "direct message": ("D1", None, "d1-0", ("hi bob", "hi alice")),
    "unjoined channel": ("C2", "random", "c2-0", ("bob alone",)),
}


@pytest.fixture(scope="module", params=backends())
def ws(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """One seeded server per backend for the whole module: the cases only read."""
    tmp = tmp_path_factory.mktemp(f"access-{request.param}")
    with fresh_database(str(request.param), tmp) as url:
        live = start_server(url, tmp / "data")
        try:
            yield seed_workspace(live)
        finally:
            live.stop()


def _fill(params: dict[str, str], rid: str, name: str | None, mid: str) -> dict[str, str]:
    return {
        k: v.replace("{rid}", rid).replace("{name}", name or rid).replace("{mid}", mid)
        for k, v in params.items()
    }


def _refused(r: Any, words: tuple[str, ...]) -> None:
    assert r.status_code in (400, 403), r.text
    assert r.json()["success"] is False
    for word in words:
        assert word not in r.text


CASES = [
    (kind, route, params)
    for kind in ROOMS
    for route, params in ROOM_ROUTES + MESSAGE_ROUTES
    if not (kind == "direct message" and route.startswith(("groups.", "channels.")))
    and not (kind == "private group" and route.startswith(("im.", "dm.", "channels.")))
    and not (kind == "unjoined channel" and route.startswith(("im.", "dm.", "groups.")))
]


@pytest.mark.parametrize(("kind", "route", "params"), CASES, ids=[f"{k}-{r}" for k, r, _ in CASES])
def test_a_plain_user_is_refused(ws: Seeded, kind: str, route: str, params: dict[str, str]) -> None:
    rid, name, mid, words = ROOMS[kind]
    r = ws.carol.get(f"/api/v1/{route}", params=_fill(params, rid, name, mid))
    _refused(r, words)
    # ... while a member (or the admin) reads the same route.
    reader = ws.admin if kind == "unjoined channel" else ws.alice
    ok = reader.get(f"/api/v1/{route}", params=_fill(params, rid, name, mid))
    assert ok.status_code == 200, (route, ok.text)


def test_lists_never_show_rooms_one_is_not_in(ws: Seeded) -> None:
    for route, key in (
        ("groups.list", "groups"),
        ("im.list", "ims"),
        ("dm.list", "ims"),
        ("channels.list.joined", "channels"),
        ("rooms.get", "update"),
        ("subscriptions.get", "update"),
    ):
        body = ws.carol.get(f"/api/v1/{route}").json()
        ids = {r.get("rid", r.get("_id")) for r in body[key]}
        assert not ids & {"P1", "P2", "D1", "C1", "C2"}, route
    spot = ws.carol.get("/api/v1/spotlight", params={"query": "secret"}).json()
    assert spot["rooms"] == []
    directory = ws.carol.get("/api/v1/directory", params={"text": "random"}).json()
    assert directory["result"] == []
    for route in ("groups.listAll", "im.list.everyone", "dm.list.everyone"):
        assert ws.carol.get(f"/api/v1/{route}").status_code == 403


ALL_ROUTES = sorted(
    {route for route, _ in ROOM_ROUTES + MESSAGE_ROUTES}
    | {
        "groups.list",
        "groups.listAll",
        "im.list",
        "dm.list",
        "im.list.everyone",
        "dm.list.everyone",
        "channels.list.joined",
        "subscriptions.getOne",
        "directory",
        "spotlight",
        "roles.list",
        "roles.getUsersInRole",
        "users.getAvatar",
        "users.info",
    }
)


def test_every_read_route_needs_authentication(ws: Seeded) -> None:
    anonymous = ws.server.client()
    for route in ALL_ROUTES:
        r = anonymous.get(f"/api/v1/{route}", params={"roomId": "C1"})
        assert r.status_code == 401, route
        assert r.json() == {
            "success": False,
            "error": "You must be logged in to do this.",
            "status": "error",
            "message": "You must be logged in to do this.",
        }, route
