"""Rooms and subscriptions: documents as Rocket.Chat shapes them, lookups, GENERAL, counters."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from chatport.workspace import rooms, subscriptions, uploads
from chatport.workspace.subscriptions import Member
from tests.workspace.factory import NOW, T0, add_user, channel, direct

ALICE = Member("alice-id", "alice", "Alice Liddell")
BOB = Member("bob-id", "bob")


def _users(engine: Engine) -> None:
    with engine.begin() as conn:
        add_user(conn, ALICE.id, ALICE.username, ALICE.name)
        add_user(conn, BOB.id, BOB.username)


def test_general_exists_once_as_in_rocket_chat(engine: Engine) -> None:
    with engine.begin() as conn:
        first = rooms.ensure_general(conn, NOW)
    with engine.begin() as conn:
        second = rooms.ensure_general(conn, NOW + 5)
    assert first == second
    assert first.document() == {
        "_id": "GENERAL",
        "t": "c",
        "name": "general",
        "default": True,
        "ts": "2023-11-14T22:13:20.000Z",
        "usersCount": 0,
        "msgs": 0,
        "_updatedAt": "2023-11-14T22:13:20.000Z",
    }


def test_channel_document_and_owner_subscription(engine: Engine) -> None:
    _users(engine)
    with engine.begin() as conn:
        room = channel(
            conn,
            "R1",
            "dev-team",
            t="p",
            members=[BOB],
            owner=ALICE,
            topic="Deploys",
            description=None,
            importIds=["C024BE91L"],
        )
        owner_sub = subscriptions.get_subscription(conn, "R1", ALICE.id)
        member_sub = subscriptions.get_subscription(conn, "R1", BOB.id)
    assert room.document() == {
        "_id": "R1",
        "t": "p",
        "name": "dev-team",
        "fname": "dev-team",
        "u": {"_id": "alice-id", "username": "alice"},
        "default": False,
        "ro": False,
        "sysMes": True,
        "topic": "Deploys",
        "importIds": ["C024BE91L"],
        "ts": "2020-09-13T12:26:40.000Z",
        "usersCount": 2,
        "msgs": 0,
        "_updatedAt": "2023-11-14T22:13:20.000Z",
    }
    assert "importIds" not in room.document(api=True)
    assert owner_sub is not None and member_sub is not None
    assert owner_sub.document() == {
        "_id": owner_sub.id,
        "rid": "R1",
        "t": "p",
        "u": {"_id": "alice-id", "username": "alice", "name": "Alice Liddell"},
        "name": "dev-team",
        "fname": "dev-team",
        "ts": "2020-09-13T12:26:40.000Z",
        "ls": "2023-11-14T22:13:20.000Z",
        "open": True,
        "alert": False,
        "unread": 0,
        "userMentions": 0,
        "groupMentions": 0,
        "roles": ["owner"],
        "_updatedAt": "2023-11-14T22:13:20.000Z",
    }
    assert "roles" not in member_sub.doc


def test_adding_members_twice_adds_nothing(engine: Engine) -> None:
    _users(engine)
    with engine.begin() as conn:
        room = channel(conn, "R1", "dev", members=[ALICE, BOB])
        assert subscriptions.add_members(conn, room, [ALICE, BOB], now=NOW) == 0
        again = rooms.get_room(conn, "R1")
    assert again is not None and again.users_count == 2


def test_direct_message_names_and_lookup(engine: Engine) -> None:
    _users(engine)
    with engine.begin() as conn:
        dm = direct(conn, "alice-idbob-id", [ALICE, BOB])
        self_dm = direct(conn, "alice-id", [ALICE])
        alice_sub = subscriptions.get_subscription(conn, dm.id, ALICE.id)
        bob_sub = subscriptions.get_subscription(conn, dm.id, BOB.id)
        self_sub = subscriptions.get_subscription(conn, self_dm.id, ALICE.id)
        assert rooms.find_direct(conn, [BOB.id, ALICE.id]) == dm
        assert rooms.find_direct(conn, [ALICE.id]) == self_dm
        assert rooms.find_direct(conn, [BOB.id]) is None
    assert dm.document()["usernames"] == ["alice", "bob"]
    assert dm.document()["uids"] == ["alice-id", "bob-id"]
    assert alice_sub is not None and (alice_sub.doc["name"], alice_sub.doc["fname"]) == (
        "bob",
        "bob",
    )
    assert bob_sub is not None
    assert (bob_sub.doc["name"], bob_sub.doc["fname"]) == ("alice", "Alice Liddell")
    assert self_sub is not None and self_sub.doc["name"] == "alice"


def test_empty_member_lists_of_a_dm_are_kept(engine: Engine) -> None:
    with engine.begin() as conn:
        room = rooms.insert_room(
            conn, {"_id": "D0", "t": "d", "usernames": [], "uids": [], "topic": ""}, now=NOW
        )
    assert room.doc == {"t": "d", "usernames": [], "uids": [], "topic": ""}


def test_import_ids_and_name_lookups(engine: Engine) -> None:
    with engine.begin() as conn:
        rooms.insert_room(
            conn, {"_id": "R1", "t": "c", "name": "random", "fname": "Random!"}, now=NOW
        )
        rooms.add_import_ids(conn, "R1", "slack:T1", ["C1", "C2"], now=NOW)
        rooms.add_import_ids(conn, "R1", "slack:T1", ["C2", "C3"], now=NOW)
        by_import = rooms.find_by_import_id(conn, "slack:T1", "C3")
        assert rooms.find_by_import_id(conn, "slack:T2", "C1") is None
        assert rooms.find_by_name(conn, "random") is not None
        assert rooms.find_by_name(conn, "Random") is None
        assert rooms.find_by_name_or_fname(conn, "Random!", t="c") is not None
        assert rooms.find_by_name_or_fname(conn, "Random!", t="p") is None
    assert by_import is not None and by_import.doc["importIds"] == ["C1", "C2", "C3"]


def test_room_names_are_unique(engine: Engine) -> None:
    with engine.begin() as conn:
        rooms.insert_room(conn, {"_id": "R1", "t": "c", "name": "random"}, now=NOW)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        rooms.insert_room(conn, {"_id": "R2", "t": "p", "name": "random"}, now=NOW)


def test_update_room_keeps_columns_in_step(engine: Engine) -> None:
    _users(engine)
    with engine.begin() as conn:
        channel(conn, "GEN", "general-import", members=[ALICE])
        updated = rooms.update_room(
            conn,
            "GEN",
            set_fields={"name": "renamed", "fname": "Renamed", "archived": True, "topic": None},
            now=NOW + 1,
        )
        subscriptions.update_room_subscriptions(
            conn, "GEN", {"name": "renamed", "fname": "Renamed"}, now=NOW + 1
        )
        subscriptions.set_archived(conn, "GEN", True, now=NOW + 1)
        sub = subscriptions.get_subscription(conn, "GEN", ALICE.id)
        assert rooms.find_by_name(conn, "renamed") == updated
    assert updated.name == "renamed" and updated.fname == "Renamed" and updated.archived
    assert updated.users_count == 1 and updated.ts == T0
    assert sub is not None
    assert sub.doc["name"] == "renamed" and sub.doc["archived"] is True and sub.doc["open"] is False


def test_upload_records(engine: Engine) -> None:
    with engine.begin() as conn:
        rooms.insert_room(conn, {"_id": "R1", "t": "c", "name": "random"}, now=NOW)
        saved = uploads.save_upload(
            conn,
            {
                "_id": "U1",
                "name": "a b.png",
                "size": 3,
                "type": "image/png",
                "extension": "png",
                "rid": "R1",
                "userId": "alice-id",
                "complete": True,
                "uploading": False,
                "progress": 1,
                "uploadedAt": T0,
                "url": "/file-upload/U1/a%20b.png",
            },
            now=NOW,
        )
        again = uploads.save_upload(conn, {"_id": "U1", "rid": "R1", "name": "c.png"}, now=NOW + 1)
        listed = uploads.room_uploads(conn, "R1")
    assert saved.document()["uploadedAt"] == "2020-09-13T12:26:40.000Z"
    assert saved.document()["_updatedAt"] == "2023-11-14T22:13:20.000Z"
    assert again.doc == {"rid": "R1", "name": "c.png"}
    assert [u.id for u in listed] == ["U1"]
