"""User records converted with a batch's preloaded lookups end as they would one by one.

The users phase loads a batch's import ids, emails and usernames in three queries and answers
:func:`convert_user` from them, updating the answers as it writes. Records that depend on
users created earlier in the same batch are where that could go wrong.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from chatport.db import tables
from chatport.imports.convert.users import Lookups, UserOptions, convert_user
from tests.workspace.factory import add_user

NOW = 1_700_000_000_000
NS = "slack:"


RECORDS: list[dict[str, Any]] = [
    {"importIds": ["U1"], "emails": ["ann@x.io"], "username": "ann"},
    {"importIds": ["U2"], "emails": [" ANN@x.io "], "username": "ann2"},  # ann, by email
    {"importIds": ["U3"], "emails": ["other@x.io"], "username": "Ann"},  # ann, by username
    {"importIds": ["U4"], "emails": ["bob@x.io"], "name": "Bob B"},  # bob.b
    {"importIds": ["U5"], "emails": ["bob2@x.io"], "name": "Bob B"},  # bob.b1
    {"importIds": ["U6"], "emails": ["all@x.io"], "username": "all"},  # all-imported
    {"importIds": ["U7"], "emails": ["all2@x.io"], "username": "all"},  # all-imported2
    {"importIds": ["U1", "U8"], "emails": ["new@x.io"]},  # ann, by import id; U8 bound
    {"importIds": ["U9"], "emails": ["carl@x.io"]},  # an existing user, by email
    {"importIds": ["U10"], "emails": ["z@x.io"], "username": "bad name!"},
    {"importIds": ["U11"], "emails": ["y@x.io"], "username": "bad.name"},  # the same one
    {"importIds": [], "emails": ["e@x.io"]},
    {"importIds": ["U12"]},
    {"importIds": ["U13", "U9"], "username": "dora", "emails": ["dora@x.io"]},  # carl, by U9
    {"importIds": ["U14"], "emails": ["tie@x.io"]},  # two users share it, created together
    {"importIds": ["U15"], "username": "EVE", "emails": ["eve@x.io"]},
    {"importIds": ["U16"], "username": "eve"},  # EVE, by username
]


def _existing(conn: Connection) -> None:
    for user_id, username, email in (
        ("carl-id", "carl", "carl@x.io"),
        ("tie-1", "tie.one", "tie@x.io"),
        ("tie-2", "tie.two", "tie@x.io"),
    ):
        add_user(conn, user_id, username, email=email, now=NOW - 1)


def _convert(engine: Engine, batched: bool) -> tuple[list[Any], list[Any], list[Any]]:
    options = UserOptions(namespace=NS)
    with engine.begin() as conn:
        lookups = Lookups(conn, NS).preload(RECORDS) if batched else None
        outcomes = [convert_user(conn, dict(r), options, NOW, lookups) for r in RECORDS]
    with engine.connect() as conn:
        names = {
            r.id: r.username
            for r in conn.execute(select(tables.users.c.id, tables.users.c.username))
        }
        users = sorted(
            (r.username, r.email_lower, {k: v for k, v in r.doc.items()})
            for r in conn.execute(select(tables.users))
        )
        bound = sorted(
            (r.import_id, names[r.user_id]) for r in conn.execute(select(tables.user_import_ids))
        )
    summary = [
        (o.state, names.get(o.user_id or ""), o.skip_reason, o.errors, o.warnings) for o in outcomes
    ]
    return summary, users, bound


def _reset(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(tables.user_import_ids))
        conn.execute(delete(tables.users))
        _existing(conn)


def test_batched_lookups_convert_as_one_by_one(engine: Engine) -> None:
    _reset(engine)
    one_by_one = _convert(engine, batched=False)
    _reset(engine)
    batched = _convert(engine, batched=True)
    assert batched == one_by_one
    summary = dict(zip([tuple(r.get("importIds") or ()) for r in RECORDS], batched[0], strict=True))
    assert summary[("U2",)][:2] == ("done", "ann")
    assert summary[("U5",)][:2] == ("done", "bob.b1")
    assert summary[("U7",)][:2] == ("done", "all-imported2")
    assert summary[("U13", "U9")][:2] == ("done", "carl")
    assert summary[("U16",)][:2] == ("done", "EVE")
