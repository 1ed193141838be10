"""Read API, rooms and members: info, joined lists, members, counters, roles, subscriptions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from chatport.db import tables
from tests.support.server import LiveServer
from tests.workspace.factory import Seeded, seed_workspace, set_permission

FORBIDDEN = {"success": False, "error": "unauthorized"}


@pytest.fixture
def ws(server: LiveServer) -> Seeded:
    return seed_workspace(server)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [i.get("name") or i["_id"] for i in items]


def test_channel_and_group_info(ws: Seeded) -> None:
    channel = ws.alice.get("/api/v1/channels.info", params={"roomName": "announcements"}).json()
    assert channel["channel"]["_id"] == "C1" and channel["channel"]["t"] == "c"
    assert "importIds" not in channel["channel"]
    group = ws.alice.get("/api/v1/groups.info", params={"roomId": "P2"}).json()
    assert group["group"]["archived"] is True  # archived groups are answered
    assert (
        ws.carol.get("/api/v1/groups.info", params={"roomId": "P1"}).json()["errorType"]
        == "error-room-not-found"
    )
    assert (
        ws.alice.get("/api/v1/channels.info", params={"roomId": "P1"}).json()["errorType"]
        == "error-room-not-found"
    )
    refused = ws.alice.get("/api/v1/channels.info", params={"roomId": "C2"})
    assert (refused.status_code, refused.json()) == (403, FORBIDDEN)


def test_joined_lists(ws: Seeded) -> None:
    joined = ws.alice.get("/api/v1/channels.list.joined").json()
    assert names(joined["channels"]) == ["announcements"]
    assert (joined["count"], joined["offset"], joined["total"]) == (1, 0, 1)
    groups = ws.alice.get("/api/v1/groups.list").json()
    assert names(groups["groups"]) == ["old-secret", "secret"]
    assert ws.carol.get("/api/v1/groups.list").json()["groups"] == []
    for prefix in ("im", "dm"):
        ims = ws.bob.get(f"/api/v1/{prefix}.list").json()
        assert [r["_id"] for r in ims["ims"]] == ["D1"]
        assert ws.carol.get(f"/api/v1/{prefix}.list").json()["total"] == 0
        everyone = ws.admin.get(f"/api/v1/{prefix}.list.everyone").json()
        assert [r["_id"] for r in everyone["ims"]] == ["D1"]
        assert ws.alice.get(f"/api/v1/{prefix}.list.everyone").status_code == 403
    all_groups = ws.admin.get("/api/v1/groups.listAll", params={"count": 1}).json()
    assert (len(all_groups["groups"]), all_groups["total"]) == (1, 2)
    assert ws.alice.get("/api/v1/groups.listAll").status_code == 403


def test_members(ws: Seeded) -> None:
    members = ws.alice.get("/api/v1/channels.members", params={"roomId": "C1"}).json()
    assert [m["username"] for m in members["members"]] == ["alice"]
    assert set(members["members"][0]) >= {"_id", "username", "status", "_updatedAt"}
    dm = ws.alice.get("/api/v1/im.members", params={"roomId": "D1"}).json()
    assert [m["username"] for m in dm["members"]] == ["alice", "bob"]
    assert (dm["count"], dm["total"]) == (2, 2)
    paged = ws.alice.get(
        "/api/v1/dm.members", params={"roomId": "D1", "count": 1, "offset": 1}
    ).json()
    assert [m["username"] for m in paged["members"]] == ["bob"]
    filtered = ws.alice.get("/api/v1/im.members", params={"roomId": "D1", "filter": "BO"}).json()
    assert [m["username"] for m in filtered["members"]] == ["bob"]
    reverse = ws.alice.get(
        "/api/v1/im.members", params={"roomId": "D1", "sort": '{"username":-1}'}
    ).json()
    assert [m["username"] for m in reverse["members"]] == ["bob", "alice"]
    group = ws.alice.get("/api/v1/groups.members", params={"roomName": "secret"}).json()
    assert [m["username"] for m in group["members"]] == ["alice"]
    # Not a member: no member list of a private room or a DM.
    assert (
        ws.carol.get("/api/v1/groups.members", params={"roomId": "P1"}).json()["errorType"]
        == "error-room-not-found"
    )
    carol_dm = ws.carol.get("/api/v1/im.members", params={"roomId": "D1"})
    assert (carol_dm.status_code, carol_dm.json()) == (403, FORBIDDEN)
    assert ws.carol.get("/api/v1/channels.members", params={"roomId": "C2"}).status_code == 403


def test_counters(ws: Seeded) -> None:
    mine = ws.alice.get("/api/v1/channels.counters", params={"roomId": "C1"}).json()
    assert mine["joined"] is True and mine["members"] == 1 and mine["msgs"] == 8
    assert mine["unreads"] == 0 and mine["userMentions"] == 0
    assert mine["latest"] and mine["unreadsFrom"]
    dm = ws.bob.get("/api/v1/im.counters", params={"roomId": "D1"}).json()
    assert (dm["joined"], dm["members"], dm["msgs"]) == (True, 2, 2)
    other = ws.alice.get("/api/v1/channels.counters", params={"roomId": "C1", "userId": ws.b.id})
    assert other.status_code == 403
    as_admin = ws.admin.get(
        "/api/v1/groups.counters", params={"roomId": "P1", "userId": ws.b.id}
    ).json()
    assert (as_admin["joined"], as_admin["members"]) == (False, 1)
    assert (
        ws.carol.get("/api/v1/groups.counters", params={"roomId": "P1"}).json()["errorType"]
        == "error-room-not-found"
    )


def test_roles_moderators_and_subscription(ws: Seeded) -> None:
    roles = ws.alice.get("/api/v1/channels.roles", params={"roomId": "C1"}).json()["roles"]
    assert [(r["u"]["username"], r["roles"]) for r in roles] == [("alice", ["owner"])]
    with ws.server.ctx.engine.begin() as conn:
        sub = tables.subscriptions
        row = conn.execute(sub.select().where(sub.c.rid == "P1", sub.c.user_id == ws.a.id)).one()
        conn.execute(
            update(sub)
            .where(sub.c.id == row.id)
            .values(doc={**dict(row.doc), "roles": ["owner", "moderator"]})
        )
    moderators = ws.alice.get("/api/v1/groups.moderators", params={"roomId": "P1"}).json()
    assert [m["username"] for m in moderators["moderators"]] == ["alice"]
    assert (
        ws.carol.get("/api/v1/groups.roles", params={"roomId": "P1"}).json()["errorType"]
        == "error-room-not-found"
    )
    one = ws.alice.get("/api/v1/subscriptions.getOne", params={"roomId": "C1"}).json()
    assert one["subscription"]["rid"] == "C1" and one["subscription"]["u"]["_id"] == ws.a.id
    none = ws.carol.get("/api/v1/subscriptions.getOne", params={"roomId": "C1"}).json()
    assert none == {"subscription": None, "success": True}
    assert ws.alice.get("/api/v1/subscriptions.getOne").status_code == 400


def test_view_c_room_opens_public_channels_only(ws: Seeded) -> None:
    with ws.server.ctx.engine.begin() as conn:
        set_permission(conn, "view-c-room", ["admin", "user"])
    assert ws.carol.get("/api/v1/channels.members", params={"roomId": "C2"}).status_code == 200
    assert ws.carol.get("/api/v1/groups.members", params={"roomId": "P1"}).status_code == 400
