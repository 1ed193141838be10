"""A canonical dump of a workspace: random ids and import times normalised, sorted.

Two imports of the same export, one interrupted and resumed, must dump equal, the full-text
search index included (``search``: each indexed word and the messages it finds).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import sqlalchemy as sa

from chatport.db import tables
from chatport.db.search_index import FTS_TABLE, PG_DOCUMENT

DROP = {"_updatedAt", "ls", "createdAt", "_id_random"}


def _replace(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_replace(v, ids) for v in value]
    if isinstance(value, dict):
        out = {k: _replace(v, ids) for k, v in value.items() if k not in DROP}
        if isinstance(out.get("uids"), list):  # ordered by random _id: order is not data
            out["uids"] = sorted(out["uids"])
        return out
    return value


def search_index_dump(conn: sa.Connection) -> dict[str, list[str]]:
    """What the full-text index itself holds: each word and the message ids it finds.

    Read from the index, not recomputed from the messages: FTS5's own vocabulary on SQLite;
    on PostgreSQL every word of the messages looked up with sequential scans disabled, so the
    answer comes from the GIN index (a missing or stale entry would be missing from it).
    """
    found: dict[str, set[str]] = {}
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        conn.execute(sa.text("SET LOCAL enable_indexscan = off"))
        words = conn.execute(
            sa.text(f"SELECT word FROM ts_stat($$SELECT {PG_DOCUMENT} FROM messages$$)")
        ).scalars()
        lookup = sa.text(
            f"SELECT id FROM messages WHERE {PG_DOCUMENT} @@ "
            "to_tsquery('simple'::regconfig, quote_literal(:word))"
        )
        for word in list(words):
            found[word] = set(conn.execute(lookup, {"word": word}).scalars())
    else:
        conn.execute(
            sa.text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab "
                f"USING fts5vocab(main, {FTS_TABLE}, instance)"
            )
        )
        rows = conn.execute(
            sa.text(
                "SELECT v.term, m.id FROM temp.search_vocab AS v "
                "LEFT JOIN messages AS m ON m.rowid = v.doc"
            )
        )
        for term, message_id in rows:
            found.setdefault(term, set()).add(message_id or "<no message>")
    return {word: sorted(ids) for word, ids in sorted(found.items())}


def canonical_dump(database_url: str) -> dict[str, Any]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            users = conn.execute(sa.select(tables.users)).mappings().all()
            rooms = conn.execute(sa.select(tables.rooms)).mappings().all()
            subs = conn.execute(sa.select(tables.subscriptions)).mappings().all()
            msgs = conn.execute(sa.select(tables.messages)).mappings().all()
            search = search_index_dump(conn)
    finally:
        engine.dispose()
    ids: dict[str, str] = {}
    for u in users:
        ids[u["id"]] = f"user:{u['username']}"
    usernames = {u["id"]: u["username"] for u in users}
    for r in rooms:
        if r["name"]:
            ids[r["id"]] = f"room:{r['name']}"
        else:
            members = sorted(usernames.get(x, x) for x in (r["doc"].get("uids") or []))
            ids[r["id"]] = "dm:" + ",".join(members)
    out: dict[str, Any] = {
        "users": sorted(
            (
                _replace({**dict(u["doc"]), "roles": u["roles"], "active": u["active"]}, ids)
                for u in users
                if u["id"] != "rocketchat.internal.admin.test"
            ),
            key=lambda d: d["username"],
        ),
        "rooms": sorted(
            (
                _replace(
                    {
                        **dict(r["doc"]),
                        "_id": r["id"],
                        "msgs": r["msgs"],
                        "usersCount": r["users_count"],
                        "lm": r["lm"],
                        "ts": r["ts"] if r["id"] != "GENERAL" else None,
                    },
                    ids,
                )
                for r in rooms
            ),
            key=lambda d: d["_id"],
        ),
        "subscriptions": sorted(
            (
                _replace(
                    {
                        **dict(s["doc"]),
                        "rid": s["rid"],
                        "u": s["user_id"],
                        # GENERAL's ts is its creation, at first start: not data of the import
                        "ts": s["doc"].get("ts") if s["rid"] != "GENERAL" else None,
                    },
                    ids,
                )
                for s in subs
            ),
            key=lambda d: (d["rid"], d["u"]),
        ),
        "messages": sorted(
            (
                _replace(
                    {
                        **dict(m["doc"]),
                        "_id": m["id"],
                        "rid": m["rid"],
                        "ts": m["ts"],
                        "tmid": m["tmid"],
                        "hidden": m["hidden"],
                    },
                    ids,
                )
                for m in msgs
            ),
            key=lambda d: d["_id"],
        ),
        "search": {
            word: sorted(_replace(message_id, ids) for message_id in found)
            for word, found in search.items()
        },
    }
    return out


def digest(dump: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(dump, option=orjson.OPT_SORT_KEYS)).hexdigest()
