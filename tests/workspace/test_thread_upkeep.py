"""Thread counts from what a fresh import wrote (``known``) equal the database's own count.

Finishing of a fresh import takes reply counts, newest replies and authors from the messages
phase's tally, and skips parents whose exported thread fields are already right; a resumed
import asks the database. Both must leave the very same documents.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select

from chatport.db import tables
from chatport.imports.phases.run import ThreadTally
from chatport.workspace import message_upkeep, messages
from chatport.workspace.messages import write_messages
from chatport.workspace.subscriptions import Member
from tests.workspace.factory import NOW, T0, add_user, channel, message

ALICE = Member("alice-id", "alice", "Alice")
BOB = Member("bob-id", "bob")
CAROL = Member("carol-id", "carol")
M = tables.messages


def _thread_set(prefix: str, rid: str) -> list[dict[str, Any]]:
    """Parents in every state finishing meets, under ids starting with ``prefix``."""

    def p(name: str) -> str:
        return f"{prefix}{name}"

    return [
        # Exported fields already right: nothing to write.
        message(p("right"), rid, ALICE, T0, tcount=2, tlm=T0 + 2, replies=[BOB.id, CAROL.id]),
        message(p("right-1"), rid, BOB, T0 + 1, tmid=p("right")),
        message(p("right-2"), rid, CAROL, T0 + 2, tmid=p("right")),
        # Stale count and a reply author the export did not list.
        message(p("stale"), rid, ALICE, T0 + 3, tcount=5, tlm=T0 + 4, replies=[BOB.id]),
        message(p("stale-1"), rid, CAROL, T0 + 4, tmid=p("stale")),
        # No thread fields at all (a CSV or HipChat parent).
        message(p("bare"), rid, BOB, T0 + 5),
        message(p("bare-1"), rid, ALICE, T0 + 6, tmid=p("bare")),
        message(p("bare-2"), rid, ALICE, T0 + 7, tmid=p("bare")),
        # A parent the export never had.
        message(p("orphan-1"), rid, BOB, T0 + 8, tmid=p("missing")),
        # Right as exported, but the database holds a reply the import did not write.
        message(p("foreign"), rid, ALICE, T0 + 9, tcount=1, tlm=T0 + 10, replies=[BOB.id]),
        message(p("foreign-1"), rid, BOB, T0 + 10, tmid=p("foreign")),
    ]


def _setup(engine: Engine) -> str:
    with engine.begin() as conn:
        for user in (ALICE, BOB, CAROL):
            add_user(conn, user.id, user.username, user.name)
        channel(conn, "room-1", "one", members=[ALICE, BOB, CAROL])
    return "room-1"


def _tally(conn: Connection, prefix: str, *, clean: bool = True) -> ThreadTally:
    """What the messages phase would have counted while writing these rows."""
    tally = ThreadTally()
    query = select(M.c.id, M.c.rid, M.c.ts, M.c.tmid, M.c.u_id, M.c.hidden, M.c.doc)
    for r in conn.execute(query.where(M.c.id.like(f"{prefix}%")).order_by(M.c.ts)):
        tally.see((r.id, r.rid, r.ts, r.tmid, r.u_id, r.hidden, orjson.dumps(r.doc).decode()))
    tally.clean = clean
    return tally


def _documents(conn: Connection, prefix: str) -> dict[str, Any]:
    """Documents and write times by id without the prefix (which ``msg`` and ``tmid`` name)."""
    out: dict[str, Any] = {}
    for r in conn.execute(select(M.c.id, M.c.doc, M.c.updated_at).where(M.c.id.like(f"{prefix}%"))):
        doc = {k: v for k, v in r.doc.items() if k != "msg"}
        if "tmid" in doc:
            doc["tmid"] = doc["tmid"].removeprefix(prefix)
        out[r.id.removeprefix(prefix)] = (doc, r.updated_at)
    return out


def _run_both(engine: Engine, *, clean: bool) -> None:
    rid = _setup(engine)
    with engine.begin() as conn:
        write_messages(conn, _thread_set("a-", rid) + _thread_set("b-", rid), now=NOW)
        known = _tally(conn, "a-", clean=clean)
        # Written after the tally: a live reply the import knows nothing of.
        write_messages(
            conn,
            [
                message("a-late", rid, CAROL, T0 + 11, tmid="a-foreign"),
                message("b-late", rid, CAROL, T0 + 11, tmid="b-foreign"),
            ],
            now=NOW,
        )
        parents = ["right", "stale", "bare", "missing", "foreign"]
        fast = message_upkeep.refresh_threads(
            conn, [f"a-{p}" for p in parents], now=NOW + 1, known=known
        )
        slow = message_upkeep.refresh_threads(conn, [f"b-{p}" for p in parents], now=NOW + 1)
        assert [m.removeprefix("a-") for m in fast] == [m.removeprefix("b-") for m in slow]
        assert fast == ["a-missing"]
        assert _documents(conn, "a-") == _documents(conn, "b-")
        stale = messages.get_message(conn, "a-stale")
        foreign = messages.get_message(conn, "a-foreign")
        right = messages.get_message(conn, "a-right")
    assert stale is not None and foreign is not None and right is not None
    assert (stale.doc["tcount"], stale.doc["tlm"]) == (1, T0 + 4)
    assert stale.doc["replies"] == [BOB.id, CAROL.id]
    assert (foreign.doc["tcount"], foreign.doc["tlm"]) == (2, T0 + 11)
    assert foreign.doc["replies"] == [BOB.id, CAROL.id]
    assert right.updated_at == NOW  # already right: not rewritten


def test_known_threads_give_the_database_result(engine: Engine) -> None:
    _run_both(engine, clean=True)


def test_threads_of_an_unclean_write_come_from_the_database(engine: Engine) -> None:
    _run_both(engine, clean=False)


def test_tally_counts_replies_and_keeps_exported_fields() -> None:
    tally = ThreadTally()
    rows = [
        ("p", "r", 10, None, "u1", False, '{"tcount":2,"tlm":12,"replies":["u2"]}'),
        ("c1", "r", 12, "p", "u2", False, '{"msg":"says \\"tcount\\""}'),
        ("c2", "r", 11, "p", "u3", False, "{}"),
        ("c3", "r", 9, "p", "u2", False, "{}"),
    ]
    for row in rows:
        tally.see(row)
    assert tally.parent_ids() == ["p"]
    assert tally.replies("p") == (3, 12, ["u2", "u3"])
    assert tally.replies("c1") is None
    assert not tally.settled("p", 3, 12, ["u2", "u3"])
    assert not tally.settled("p", 2, 12, ["u2", "u3"])
    assert tally.settled("p", 2, 12, ["u2"])
    assert not tally.settled("c1", 2, 12, ["u2"])
