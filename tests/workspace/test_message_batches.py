"""The encoded-row writer of imports (``upsert_encoded``): a batch of new ids goes straight in;
a batch that meets stored ids, conflicts or repeats an id is merged row by row, with the same
results as the document writer."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from chatport.db import tables
from chatport.workspace import messages, rooms
from chatport.workspace.messages import encode, prepare, upsert_encoded
from chatport.workspace.subscriptions import Member
from tests.workspace.factory import NOW, T0, add_user, channel, message

ALICE = Member("alice-id", "alice", "Alice")
BOB = Member("bob-id", "bob")


def _room(engine: Engine) -> str:
    with engine.begin() as conn:
        add_user(conn, "alice-id", "alice", "Alice")
        add_user(conn, "bob-id", "bob")
        channel(conn, "room-1", "one", members=[ALICE])
    return "room-1"


def _rows(*docs: dict[str, object]) -> list[messages.EncodedRow]:
    return [encode(prepare(d)) for d in docs]


def _stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(tables.messages)).scalar_one()
        room = rooms.get_room(conn, "room-1")
    assert room is not None
    return int(count), room.msgs


def test_new_ids_then_the_same_batch_again(engine: Engine) -> None:
    rid = _room(engine)
    batch = _rows(*(message(f"m{i}", rid, ALICE, T0 + i) for i in range(4)))
    with engine.begin() as conn:
        first = upsert_encoded(conn, batch, now=NOW)
    assert (first.inserted, first.updated, first.unchanged) == (4, 0, 0)
    assert dict(first.inserted_per_room) == {rid: 4}
    with engine.begin() as conn:
        again = upsert_encoded(conn, batch, now=NOW + 1)
    assert (again.inserted, again.updated, again.unchanged, again.conflicts) == (0, 0, 4, ())
    assert _stored(engine) == (4, 4)
    with engine.connect() as conn:
        stored = messages.get_message(conn, "m0")
    assert stored is not None and stored.updated_at == NOW
    assert stored.document()["msg"] == "message m0"


def test_a_batch_with_one_stored_id_inserts_the_rest_and_merges_that_one(engine: Engine) -> None:
    rid = _room(engine)
    with engine.begin() as conn:
        upsert_encoded(conn, _rows(message("m1", rid, ALICE, T0, "old")), now=NOW)
    batch = _rows(
        message("m0", rid, ALICE, T0 - 1),
        message("m1", rid, ALICE, T0, "edited", alias="x"),
        message("m2", rid, ALICE, T0 + 1),
    )
    with engine.begin() as conn:
        result = upsert_encoded(conn, batch, now=NOW + 1)
        merged = messages.get_message(conn, "m1")
    assert (result.inserted, result.updated, result.conflicts) == (2, 1, ())
    assert merged is not None and merged.doc["msg"] == "edited" and merged.doc["alias"] == "x"
    assert _stored(engine) == (3, 3)


def test_a_conflicting_id_is_reported_and_the_rest_written(engine: Engine) -> None:
    rid = _room(engine)
    with engine.begin() as conn:
        upsert_encoded(conn, _rows(message("m1", rid, ALICE, T0, "original")), now=NOW)
        result = upsert_encoded(
            conn,
            _rows(message("m1", rid, BOB, T0, "stolen"), message("m2", rid, BOB, T0)),
            now=NOW,
        )
        kept = messages.get_message(conn, "m1")
    assert result.conflicts == ("m1",) and result.inserted == 1
    assert kept is not None and kept.doc["msg"] == "original"
    assert _stored(engine) == (2, 2)


def test_a_repeated_id_in_one_batch_merges(engine: Engine) -> None:
    rid = _room(engine)
    batch = _rows(message("m1", rid, ALICE, T0, "a", alias="x"), message("m1", rid, ALICE, T0, "b"))
    with engine.begin() as conn:
        result = upsert_encoded(conn, batch, now=NOW)
        stored = messages.get_message(conn, "m1")
    assert result.inserted == 1
    assert stored is not None and stored.doc["msg"] == "b" and stored.doc["alias"] == "x"
    assert _stored(engine) == (1, 1)
