"""A Slack export imported over HTTP, then read back the way Rocket.Chat clients read it:
history, members, pins (channels.json ``pins[]`` and ``pinned_to``), search, and what a
member and a non-member of a private group may see."""

from __future__ import annotations

from typing import Any

from chatport.clock import iso_ms
from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import Client, LiveServer

USERS = [
    {"id": "U1", "name": "ann", "profile": {"real_name": "Ann", "email": "ann@x.io"}},
    {"id": "U2", "name": "bob", "profile": {"real_name": "Bob", "email": "bob@x.io"}},
    {"id": "U3", "name": "cid", "profile": {"real_name": "Cid", "email": "cid@x.io"}},
]
CHANNELS = [
    {
        "id": "C1",
        "name": "dev",
        "creator": "U1",
        "members": ["U1", "U2", "U3"],
        "created": 1500000000,
        "pins": [
            {"id": "1600000000.000000", "type": "C", "created": 1600000100, "user": "U2"},
            {"id": "1699999999.000000", "type": "C", "created": 1600000100, "user": "U2"},
        ],
    },
    {"id": "C2", "name": "old", "creator": "U1", "members": ["U1"], "is_archived": True},
]
GROUPS = [{"id": "G1", "name": "inner", "creator": "U1", "members": ["U1", "U2"]}]


def _m(ts: int, user: str, text: str, **fields: Any) -> dict[str, Any]:
    return {"type": "message", "ts": f"{ts}.000000", "user": user, "text": text, **fields}


DEV = [
    _m(1600000000, "U1", "release checklist ready"),
    _m(1600000001, "U2", "pinned by the export", pinned_to=["C1"]),
    _m(1600000002, "U1", "pinned twice over", pinned_to=["C1"]),
    _m(1600000003, "U3", "checklist reviewed"),
    {
        "type": "message",
        "subtype": "pinned_item",
        "ts": "1600000050.000000",
        "user": "U3",
        "text": "pinned a message",
        "item_type": "C",
        "item": {"type": "message", "channel": "C1", "ts": "1600000002.000000"},
    },
]
INNER = [_m(1600000010, "U1", "inner checklist secret")]
OLD = [_m(1500000010, "U1", "archived words")]


def _sign_in(server: LiveServer, admin: Client, username: str) -> Client:
    user = admin.get("/api/v1/users.info", params={"username": username}).json()["user"]
    r = admin.post(
        "/api/v1/users.update",
        json={"userId": user["_id"], "data": {"password": "Pass-word-123"}},
    )
    assert r.status_code == 200, r.text
    return server.login(username, "Pass-word-123")


def test_an_imported_export_reads_back(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    body = build_export(
        {
            "users.json": USERS,
            "channels.json": CHANNELS,
            "groups.json": GROUPS,
            "dev/2020-09-13.json": DEV,
            "inner/2020-09-13.json": INNER,
            "old/2017-07-14.json": OLD,
        }
    )
    load(server, admin, files, body)
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    bob, cid = _sign_in(server, admin, "bob"), _sign_in(server, admin, "cid")
    dev = bob.get("/api/v1/channels.info", params={"roomName": "dev"}).json()["channel"]

    history = bob.get("/api/v1/channels.history", params={"roomId": dev["_id"]}).json()
    assert [m["msg"] for m in history["messages"]][-4:] == [
        "checklist reviewed",
        "pinned twice over",
        "pinned by the export",
        "release checklist ready",
    ]

    pins = bob.get("/api/v1/chat.getPinnedMessages", params={"roomId": dev["_id"]}).json()
    by_id = {m["_id"]: m for m in pins["messages"]}
    assert set(by_id) == {
        "slack-C1-1600000000-000000",
        "slack-C1-1600000001-000000",
        "slack-C1-1600000002-000000",
    }
    from_pins_list = by_id["slack-C1-1600000000-000000"]
    assert from_pins_list["pinnedAt"] == iso_ms(1600000100_000)  # created
    assert from_pins_list["pinnedBy"]["username"] == "bob"  # user
    from_pinned_to = by_id["slack-C1-1600000001-000000"]
    assert from_pinned_to["pinnedAt"] == iso_ms(1600000001_000)  # its own ts
    assert "pinnedBy" not in from_pinned_to
    with_pin_event = by_id["slack-C1-1600000002-000000"]
    assert with_pin_event["pinnedAt"] == iso_ms(1600000050_000)  # its pinned_item's time
    assert with_pin_event["pinnedBy"]["username"] == "cid"
    warnings = admin.get("/api/v1/import.errors", params={"warnings": "true"}).json()["errors"]
    assert [(w["dataType"], w["warnings"]) for w in warnings] == [
        ("message", [{"message": "importer-message-pin-target-not-found"}])
    ]

    found = bob.get(
        "/api/v1/chat.search", params={"roomId": dev["_id"], "searchText": "checklist"}
    ).json()
    assert [m["msg"] for m in found["messages"]] == [
        "checklist reviewed",
        "release checklist ready",
    ]
    members = bob.get("/api/v1/channels.members", params={"roomId": dev["_id"]}).json()
    assert [m["username"] for m in members["members"]] == ["ann", "bob", "cid"]

    inner = bob.get("/api/v1/groups.info", params={"roomName": "inner"}).json()["group"]
    assert [
        m["msg"]
        for m in bob.get("/api/v1/groups.history", params={"roomId": inner["_id"]}).json()[
            "messages"
        ]
    ] == ["inner checklist secret"]
    # Cid is not in the group: no route shows it or its words.
    for route, params in (
        ("groups.history", {"roomId": inner["_id"]}),
        ("groups.info", {"roomId": inner["_id"]}),
        ("groups.members", {"roomId": inner["_id"]}),
    ):
        r = cid.get(f"/api/v1/{route}", params=params)
        assert r.status_code in (400, 403) and "secret" not in r.text, route
    assert cid.get(
        "/api/v1/chat.search", params={"roomId": inner["_id"], "searchText": "checklist"}
    ).json() == {"success": False}

    old = admin.get("/api/v1/rooms.info", params={"roomName": "old"}).json()["room"]
    assert old["archived"] is True
    archived = admin.get("/api/v1/channels.history", params={"roomId": old["_id"]}).json()
    assert [m["msg"] for m in archived["messages"]] == ["archived words"]


def test_an_import_leaves_the_planner_statistics_fresh(
    server: LiveServer, files: FileServer
) -> None:
    """PostgreSQL picks the full-text index or the room's ``ts`` order by its statistics:
    finishing refreshes them and merges the GIN pending list (``search_index.settle``)."""
    import sqlalchemy as sa

    admin = server.admin()
    load(
        server,
        admin,
        files,
        build_export({"users.json": USERS, "channels.json": CHANNELS, "dev/2020-09-13.json": DEV}),
    )
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"
    with server.ctx.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return
        analyzed = conn.execute(
            sa.text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'messages'")
        ).scalar_one()
    assert analyzed is not None  # by chatport's ANALYZE, not autovacuum (last_autoanalyze)
