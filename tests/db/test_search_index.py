"""The full-text index follows every write of a message's text: insert, re-import with new
text, an update that empties it, a rewrite that leaves it alone, a delete; on both backends,
read back from the index itself."""

from __future__ import annotations

from sqlalchemy import Engine, delete

from chatport.db import tables
from chatport.workspace import rooms
from chatport.workspace.message_upkeep import update_message
from chatport.workspace.messages import upsert_messages
from tests.support.dump import search_index_dump
from tests.workspace.factory import NOW, T0, add_user, channel, message


def _index(engine: Engine) -> dict[str, list[str]]:
    with engine.begin() as conn:
        return search_index_dump(conn)


def test_the_index_follows_every_write(engine: Engine) -> None:
    with engine.begin() as conn:
        rooms.ensure_general(conn, NOW)
        a = add_user(conn, "U1", "ann")
        channel(conn, "C1", "dev", members=[a])
        upsert_messages(
            conn,
            [
                message("m1", "C1", a, T0, "Alpha beta"),
                message("m2", "C1", a, T0 + 1, "beta gamma"),
                message("m3", "C1", a, T0 + 2, "x", t="uj"),
            ],
            now=NOW,
        )
    assert _index(engine) == {"alpha": ["m1"], "beta": ["m1", "m2"], "gamma": ["m2"], "x": ["m3"]}

    with engine.begin() as conn:  # a re-import with edited text
        upsert_messages(conn, [message("m1", "C1", a, T0, "delta beta")], now=NOW + 1)
        update_message(conn, "m2", set_fields={"msg": ""}, now=NOW + 1)  # emptied
        update_message(conn, "m3", set_fields={"pinned": True}, now=NOW + 1)  # text untouched
    assert _index(engine) == {"beta": ["m1"], "delta": ["m1"], "x": ["m3"]}

    with engine.begin() as conn:
        update_message(conn, "m2", set_fields={"msg": "gamma again"}, now=NOW + 2)
        conn.execute(delete(tables.messages).where(tables.messages.c.id == "m1"))
    assert _index(engine) == {"again": ["m2"], "gamma": ["m2"], "x": ["m3"]}
