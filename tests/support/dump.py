"""A canonical dump of a workspace: random ids and import times normalised, sorted.

Two imports of the same export, one interrupted and resumed, must dump equal.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import sqlalchemy as sa

from chatport.db import tables

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


def canonical_dump(database_url: str) -> dict[str, Any]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            users = conn.execute(sa.select(tables.users)).mappings().all()
            rooms = conn.execute(sa.select(tables.rooms)).mappings().all()
            subs = conn.execute(sa.select(tables.subscriptions)).mappings().all()
            msgs = conn.execute(sa.select(tables.messages)).mappings().all()
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
    }
    return out


def digest(dump: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(dump, option=orjson.OPT_SORT_KEYS)).hexdigest()
