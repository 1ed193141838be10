"""The bulk message writer: idempotence, the §1.9 merge rule, conflicts, counters, speed."""

from __future__ import annotations

import time

from sqlalchemy import Engine, select

from chatport.db import tables
from chatport.workspace import message_upkeep, messages, rooms
from chatport.workspace.messages import upsert_messages, write_messages
from chatport.workspace.subscriptions import Member
from tests.workspace.factory import NOW, T0, add_user, channel, message

ALICE = Member("alice-id", "alice", "Alice")
BOB = Member("bob-id", "bob")


def _setup(engine: Engine) -> tuple[str, str]:
    with engine.begin() as conn:
        add_user(conn, "alice-id", "alice", "Alice")
        add_user(conn, "bob-id", "bob")
        channel(conn, "room-1", "one", members=[ALICE])
        channel(conn, "room-2", "two", members=[ALICE])
    return "room-1", "room-2"


def test_writing_the_same_batch_twice_adds_nothing(engine: Engine) -> None:
    rid, _ = _setup(engine)
    batch = [message(f"m{i}", rid, ALICE, T0 + i) for i in range(5)]
    with engine.begin() as conn:
        assert write_messages(conn, batch, now=NOW) == 5
    with engine.begin() as conn:
        again = upsert_messages(conn, batch, now=NOW + 1)
    assert (again.inserted, again.updated, again.unchanged, again.conflicts) == (0, 0, 5, ())
    with engine.connect() as conn:
        room = rooms.get_room(conn, rid)
        assert room is not None and room.msgs == 5
        count = conn.execute(select(tables.messages.c.id)).all()
        assert len(count) == 5
        # Unchanged rows are not rewritten: _updatedAt stays at the first write.
        stored = messages.get_message(conn, "m0")
        assert stored is not None and stored.updated_at == NOW


def test_stored_document_and_rendering(engine: Engine) -> None:
    rid, _ = _setup(engine)
    doc = message(
        "slack-C1-1503435956-000247",
        rid,
        ALICE,
        T0,
        "hello",
        tmid=None,
        mentions=[],
        attachments=None,
        editedAt="2020-09-13T12:30:00.000+00:00",
        _importFile={"id": "F1", "url": "https://files.slack.com/x?t=secret", "downloaded": False},
        _hidden=True,
    )
    with engine.begin() as conn:
        assert write_messages(conn, [doc], now=NOW) == 1
    with engine.connect() as conn:
        stored = messages.get_message(conn, "slack-C1-1503435956-000247")
    assert stored is not None
    assert stored.tmid is None and stored.hidden is True and stored.ts == T0
    # Absent values are omitted, never stored as null or as empty lists.
    assert stored.doc == {
        "rid": rid,
        "msg": "hello",
        "ts": T0,
        "u": {"_id": "alice-id", "username": "alice"},
        "editedAt": T0 + 200_000,
        "_importFile": {
            "id": "F1",
            "url": "https://files.slack.com/x?t=secret",
            "downloaded": False,
        },
        "_hidden": True,
    }
    assert stored.document() == {
        "_id": "slack-C1-1503435956-000247",
        "rid": rid,
        "msg": "hello",
        "ts": "2020-09-13T12:26:40.000Z",
        "u": {"_id": "alice-id", "username": "alice"},
        "editedAt": "2020-09-13T12:30:00.000Z",
        "_hidden": True,
        "_updatedAt": "2023-11-14T22:13:20.000Z",
    }


def test_update_sets_fields_present_and_removes_none(engine: Engine) -> None:
    rid, _ = _setup(engine)
    first = message("m1", rid, ALICE, T0, "v1", reactions={":+1:": {"usernames": ["bob"]}})
    second = message("m1", rid, ALICE, T0 + 5, "v2", pinned=True)
    with engine.begin() as conn:
        write_messages(conn, [first], now=NOW)
    with engine.begin() as conn:
        result = upsert_messages(conn, [second], now=NOW + 10)
    assert (result.inserted, result.updated) == (0, 1)
    with engine.connect() as conn:
        stored = messages.get_message(conn, "m1")
        room = rooms.get_room(conn, rid)
    assert stored is not None and room is not None
    assert stored.doc["msg"] == "v2"
    assert stored.doc["reactions"] == {":+1:": {"usernames": ["bob"]}}
    assert stored.doc["pinned"] is True
    assert stored.ts == T0 + 5 and stored.updated_at == NOW + 10
    assert room.msgs == 1


def test_downloaded_file_is_never_rehidden_or_reset(engine: Engine) -> None:
    rid, _ = _setup(engine)
    downloaded = message(
        "f1",
        rid,
        ALICE,
        T0,
        "file",
        _importFile={"url": "u", "downloaded": True},
        attachments=[{"title": "a.png", "title_link": "/file-upload/X/a.png"}],
        file={"_id": "X", "name": "a.png"},
    )
    reimport = message(
        "f1",
        rid,
        ALICE,
        T0,
        "file again",
        _importFile={"url": "u", "downloaded": False},
        _hidden=True,
        attachments=[],
    )
    with engine.begin() as conn:
        write_messages(conn, [downloaded], now=NOW)
        upsert_messages(conn, [reimport], now=NOW + 1)
        stored = messages.get_message(conn, "f1")
    assert stored is not None
    assert stored.hidden is False and "_hidden" not in stored.doc
    assert stored.doc["_importFile"] == {"url": "u", "downloaded": True}
    assert stored.doc["attachments"] == [{"title": "a.png", "title_link": "/file-upload/X/a.png"}]
    assert stored.doc["msg"] == "file again"


def test_same_id_in_another_room_or_by_another_author_conflicts(engine: Engine) -> None:
    rid, other_rid = _setup(engine)
    with engine.begin() as conn:
        write_messages(conn, [message("m1", rid, ALICE, T0, "original")], now=NOW)
        result = upsert_messages(
            conn,
            [
                message("m1", other_rid, ALICE, T0, "moved"),
                message("m1", rid, BOB, T0, "stolen"),
                message("m2", rid, BOB, T0, "fine"),
            ],
            now=NOW,
        )
        stored = messages.get_message(conn, "m1")
    assert result.conflicts == ("m1", "m1")
    assert result.inserted == 1
    assert stored is not None and stored.doc["msg"] == "original"


def test_duplicate_ids_in_one_batch_merge(engine: Engine) -> None:
    rid, _ = _setup(engine)
    with engine.begin() as conn:
        result = upsert_messages(
            conn,
            [
                message("m1", rid, ALICE, T0, "a", alias="x"),
                message("m1", rid, ALICE, T0, "b"),
            ],
            now=NOW,
        )
        stored = messages.get_message(conn, "m1")
        room = rooms.get_room(conn, rid)
    assert result.inserted == 1
    assert stored is not None and stored.doc["msg"] == "b" and stored.doc["alias"] == "x"
    assert room is not None and room.msgs == 1


def test_counts_new_messages_per_room(engine: Engine) -> None:
    rid, other_rid = _setup(engine)
    with engine.begin() as conn:
        result = upsert_messages(
            conn,
            [message(f"a{i}", rid, ALICE, T0 + i) for i in range(3)]
            + [message(f"b{i}", other_rid, ALICE, T0 + i) for i in range(2)],
            now=NOW,
        )
        one, two = rooms.get_room(conn, rid), rooms.get_room(conn, other_rid)
    assert dict(result.inserted_per_room) == {rid: 3, other_rid: 2}
    assert one is not None and one.msgs == 3
    assert two is not None and two.msgs == 2


def test_ten_thousand_messages_write_quickly(engine: Engine) -> None:
    rid, _ = _setup(engine)
    batch = [
        message(
            f"slack-C1-{1500000000 + i}-000100",
            rid,
            ALICE,
            T0 + i,
            f"message number {i} with some text",
            mentions=[{"_id": "bob-id", "username": "bob"}] if i % 10 == 0 else [],
            **({"tmid": f"slack-C1-{1500000000 + i - 1}-000100"} if i % 7 == 0 and i else {}),
        )
        for i in range(10_000)
    ]
    started = time.perf_counter()
    with engine.begin() as conn:
        assert write_messages(conn, batch, now=NOW) == 10_000
    first = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as conn:
        assert write_messages(conn, batch, now=NOW + 1) == 0
    second = time.perf_counter() - started
    print(f"\n10k messages on {engine.dialect.name}: insert {first:.2f}s, rewrite {second:.2f}s")
    assert first < 10 and second < 10
    with engine.connect() as conn:
        room = rooms.get_room(conn, rid)
        assert room is not None and room.msgs == 10_000
        threaded = conn.execute(
            select(tables.messages.c.id).where(tables.messages.c.tmid.is_not(None))
        ).all()
        assert len(threaded) == len([i for i in range(1, 10_000) if i % 7 == 0])


def test_last_message_and_threads(engine: Engine) -> None:
    rid, _ = _setup(engine)
    with engine.begin() as conn:
        write_messages(
            conn,
            [
                message("p", rid, ALICE, T0, "parent"),
                message("r1", rid, BOB, T0 + 1, "reply", tmid="p"),
                message("r2", rid, ALICE, T0 + 2, "reply", tmid="p"),
                message("h", rid, ALICE, T0 + 3, "hidden file", _hidden=True),
                message("orphan", rid, BOB, T0 + 4, "reply", tmid="nope"),
            ],
            now=NOW,
        )
        missing = message_upkeep.refresh_threads(conn, ["p", "nope"], now=NOW + 1)
        last = message_upkeep.refresh_last_message(conn, rid, now=NOW + 1)
        parent = messages.get_message(conn, "p")
        room = rooms.get_room(conn, rid)
    assert missing == ["nope"]
    assert parent is not None
    assert parent.doc["tcount"] == 2 and parent.doc["tlm"] == T0 + 2
    assert parent.doc["replies"] == ["alice-id", "bob-id"]
    assert last is not None and last.id == "p"
    assert room is not None and room.lm == T0
    document = room.document()
    assert document["lm"] == "2020-09-13T12:26:40.000Z"
    assert document["lastMessage"]["_id"] == "p"
    assert document["lastMessage"]["tlm"] == "2020-09-13T12:26:40.002Z"
    assert document["lastMessage"]["_updatedAt"] == "2023-11-14T22:13:20.001Z"


def test_encode_parts_is_encode_of_the_prepared_message() -> None:
    doc = message("m1", "room-1", ALICE, T0, "hello", tmid="p", _hidden=True, attachments=[])
    prepared = messages.prepare(doc)
    assert messages.encode_parts(prepared.id, prepared.rid, prepared.u_id, prepared.doc) == (
        messages.encode(prepared)
    )
    row = messages.encode(prepared)
    assert row[:6] == ("m1", "room-1", T0, "p", "alice-id", True)
    assert row[6].startswith('{"rid":"room-1","msg":"hello","ts":')
    assert "attachments" not in row[6]
