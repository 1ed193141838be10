"""Read API, subscriptions: subscriptions.get as Rocket.Chat answers it."""

from __future__ import annotations

import pytest

from chatport.clock import iso_ms
from tests.support.server import LiveServer
from tests.workspace.factory import NOW, T0, Seeded, seed_workspace


@pytest.fixture
def ws(server: LiveServer) -> Seeded:
    return seed_workspace(server)


def test_subscriptions_get(ws: Seeded) -> None:
    r = ws.alice.get("/api/v1/subscriptions.get")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["update", "remove", "success"]
    assert body["remove"] == []
    subs = {s["rid"]: s for s in body["update"]}
    assert sorted(subs) == ["C1", "D1", "P1", "P2"]
    owner = subs["C1"]
    assert owner == {
        "_id": owner["_id"],
        "rid": "C1",
        "t": "c",
        "u": {"_id": ws.a.id, "username": "alice", "name": "alice"},
        "name": "announcements",
        "fname": "announcements",
        "ts": iso_ms(T0),
        "ls": iso_ms(NOW),
        "open": True,
        "alert": False,
        "unread": 0,
        "userMentions": 0,
        "groupMentions": 0,
        "roles": ["owner"],
        "_updatedAt": iso_ms(NOW),
    }
    assert len(owner["_id"]) == 17
    archived = subs["P2"]
    assert archived["archived"] is True and archived["open"] is False
    assert "roles" not in archived
    dm = subs["D1"]
    assert (dm["t"], dm["name"], dm["fname"]) == ("d", "bob", "bob")


def test_subscriptions_get_since(ws: Seeded) -> None:
    later = ws.alice.get("/api/v1/subscriptions.get", params={"updatedSince": iso_ms(NOW)})
    assert later.json() == {"update": [], "remove": [], "success": True}
    earlier = ws.alice.get("/api/v1/subscriptions.get", params={"updatedSince": iso_ms(NOW - 1)})
    assert len(earlier.json()["update"]) == 4
    bad = ws.alice.get("/api/v1/subscriptions.get", params={"updatedSince": "not a date"})
    assert bad.status_code == 400
    assert bad.json() == {
        "success": False,
        "error": 'The "lastUpdate" query parameter must be a valid date. '
        "[error-roomId-param-invalid]",
        "errorType": "error-roomId-param-invalid",
    }
    unknown = ws.alice.get("/api/v1/subscriptions.get", params={"since": "x"})
    assert unknown.json()["error"] == "must NOT have additional properties"


def test_subscriptions_of_a_user_without_rooms(ws: Seeded) -> None:
    body = ws.carol.get("/api/v1/subscriptions.get").json()
    assert body == {"update": [], "remove": [], "success": True}
