"""``chat.search`` on each database's full-text index (see :mod:`chatport.db.search_index`).

A room's search is the newest (or, with ``order:asc``, oldest) page of its visible messages
that match a :class:`~chatport.workspace.search_query.SearchQuery`. The text part decides the
plan:

* words, PostgreSQL: one query; the planner picks the GIN index for rare words or the room's
  ``(rid, ts)`` index for common ones (its statistics cover the indexed expression);
* words, SQLite: the FTS5 match is counted up to :data:`RARE_LIMIT` first. A rare match is
  read from the index and sorted; a common one walks the room's ``(rid, ts)`` index newest
  first and asks the index about each message, stopping at the page's end;
* a regular expression reads the room's messages in order, under :data:`REGEXP_BUDGET_S`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import Connection, Select, bindparam, func, or_, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from chatport.db import tables
from chatport.db.search_index import FTS_TABLE, PG_DOCUMENT
from chatport.workspace import messages
from chatport.workspace.json_sql import field_text, has_field
from chatport.workspace.messages import MessageRow
from chatport.workspace.read import array_has_id
from chatport.workspace.search_query import InvalidSearch, Pattern, SearchQuery, Words

M = tables.messages

RARE_LIMIT: Final = 20_000
REGEXP_BUDGET_S: Final = 5.0


def _quote_term(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts5_expression(words: Words) -> str:
    """The FTS5 MATCH text: MongoDB ``$text`` semantics (see ``search_query``)."""
    if words.phrases:
        positive = " AND ".join(_quote_term(" ".join(p)) for p in words.phrases)
    else:
        positive = " OR ".join(_quote_term(w) for w in words.any_of)
    if not words.none_of:
        return positive
    excluded = " OR ".join(_quote_term(w) for w in words.none_of)
    return f"({positive}) NOT ({excluded})"


def _lexeme(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def tsquery_expression(words: Words) -> str:
    """The same query for ``to_tsquery('simple', …)``."""
    if words.phrases:
        positive = " & ".join(
            "(" + " <-> ".join(_lexeme(w) for w in phrase) + ")" for phrase in words.phrases
        )
    else:
        positive = " | ".join(_lexeme(w) for w in words.any_of)
    if not words.none_of:
        return positive
    return f"({positive}) & !(" + " | ".join(_lexeme(w) for w in words.none_of) + ")"


def _mentions_user(conn: Connection, names: tuple[str, ...]) -> Any:
    """``mentions.username`` holds one of ``names`` (case-insensitive, as upstream's regex)."""
    likes = [f"%{n.lower()}%" for n in names]
    if conn.dialect.name == "postgresql":
        sql = (
            "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(messages.doc -> "
            "'mentions') = 'array' THEN messages.doc -> 'mentions' ELSE '[]'::jsonb END) AS e "
            "WHERE lower(e ->> 'username') LIKE ANY (:mention_likes))"
        )
        return text(sql).bindparams(bindparam("mention_likes", value=likes))
    clauses = " OR ".join(
        f"lower(json_extract(e.value, '$.username')) LIKE :mention_like_{i}"
        for i in range(len(likes))
    )
    sql = (
        "EXISTS (SELECT 1 FROM json_each(messages.doc, '$.mentions') AS e "
        f"WHERE json_type(messages.doc, '$.mentions') = 'array' AND ({clauses}))"
    )
    return text(sql).bindparams(
        *(bindparam(f"mention_like_{i}", value=like) for i, like in enumerate(likes))
    )


def _conditions(
    conn: Connection, rid: str, query: SearchQuery, *, room_index: bool = True
) -> list[Any]:
    """``room_index=False`` keeps SQLite off the ``(rid, ts)`` index (``+rid``): for a rare
    word, reading its few matches by rowid beats walking the whole room."""
    room = (
        M.c.rid == rid
        if room_index
        else text("+messages.rid = :search_rid").bindparams(search_rid=rid)
    )
    conditions: list[Any] = [
        room,
        M.c.hidden.is_(False),
        or_(field_text(conn, "t").is_(None), field_text(conn, "t") != "rm"),
    ]
    if query.from_users:
        username = func.lower(field_text(conn, "u", "username"))
        conditions.append(or_(*(username.contains(n.lower()) for n in query.from_users)))
    if query.mentions:
        conditions.append(_mentions_user(conn, query.mentions))
    if query.starred_by:
        conditions.append(array_has_id(conn, "starred", "starred_by", [query.starred_by]))
    if query.has_url:
        conditions.append(has_field(conn, "urls"))
    if query.has_location:
        conditions.append(has_field(conn, "location"))
    if query.pinned:
        conditions.append(M.c.doc["pinned"].as_boolean().is_(True))
    if query.ts_min is not None:
        conditions.append(M.c.ts >= query.ts_min)
    if query.ts_max is not None:
        conditions.append(M.c.ts <= query.ts_max)
    if query.ts_before is not None:
        conditions.append(M.c.ts < query.ts_before)
    return conditions


def _ordered(statement: Select[Any], query: SearchQuery, offset: int, count: int) -> Select[Any]:
    order = (M.c.ts.asc(), M.c.id.asc()) if query.ascending else (M.c.ts.desc(), M.c.id.asc())
    return statement.order_by(*order).offset(offset).limit(count)


def search_room(
    conn: Connection, rid: str, query: SearchQuery, *, offset: int, count: int
) -> list[MessageRow]:
    """One page of a room's messages matching ``query`` (none when nothing was asked)."""
    if query.empty:
        return []
    statement = select(M).where(*_conditions(conn, rid, query))
    matched = query.text
    if isinstance(matched, Words):
        if matched.matches_nothing:
            return []
        if conn.dialect.name == "postgresql":
            statement = statement.where(
                text(f"{PG_DOCUMENT} @@ to_tsquery('simple'::regconfig, :tsq)").bindparams(
                    tsq=tsquery_expression(matched)
                )
            )
            return _rows(conn, _ordered(statement, query, offset, count))
        return _sqlite_words(conn, rid, statement, query, matched, offset, count)
    if isinstance(matched, Pattern):
        statement = statement.where(_pattern_condition(conn, matched))
        with _time_budget(conn):
            return _rows(conn, _ordered(statement, query, offset, count))
    return _rows(conn, _ordered(statement, query, offset, count))


def _rows(conn: Connection, statement: Select[Any]) -> list[MessageRow]:
    return [messages.row(r) for r in conn.execute(statement)]


def _sqlite_words(
    conn: Connection,
    rid: str,
    statement: Select[Any],
    query: SearchQuery,
    words: Words,
    offset: int,
    count: int,
) -> list[MessageRow]:
    expression = fts5_expression(words)
    hits = conn.execute(
        text(
            f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH :q LIMIT :cap)"
        ),
        {"q": expression, "cap": RARE_LIMIT + 1},
    ).scalar_one()
    if hits <= RARE_LIMIT:
        matching = text(
            f"messages.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q)"
        ).bindparams(q=expression)
        statement = select(M).where(*_conditions(conn, rid, query, room_index=False))
    else:
        matching = text(
            f"EXISTS (SELECT 1 FROM {FTS_TABLE} AS f WHERE f.{FTS_TABLE} MATCH :q "
            "AND f.rowid = messages.rowid)"
        ).bindparams(q=expression)
    return _rows(conn, _ordered(statement.where(matching), query, offset, count))


def _pattern_condition(conn: Connection, pattern: Pattern) -> Any:
    msg = field_text(conn, "msg")
    if conn.dialect.name == "postgresql":
        return msg.regexp_match(pattern.source, flags="i" if pattern.ignore_case else None)
    inline = "".join(
        f
        for f, on in (("i", pattern.ignore_case), ("m", pattern.multiline), ("s", pattern.dotall))
        if on
    )
    source = f"(?{inline}){pattern.source}" if inline else pattern.source
    return msg.regexp_match(source)


@contextmanager
def _time_budget(conn: Connection) -> Iterator[None]:
    """A regular-expression search stops after :data:`REGEXP_BUDGET_S` with a clear error."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {int(REGEXP_BUDGET_S * 1000)}"))
        try:
            yield
        except DBAPIError as exc:
            if "statement timeout" in str(exc.orig):
                conn.rollback()
                raise _too_slow() from None
            raise
        return
    raw: Any = conn.connection.driver_connection
    deadline = time.monotonic() + REGEXP_BUDGET_S
    raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc.orig):
            raise _too_slow() from None
        raise
    finally:
        raw.set_progress_handler(None, 0)


def _too_slow() -> InvalidSearch:
    return InvalidSearch(
        f"the regular-expression search took longer than {REGEXP_BUDGET_S:g} s: "
        "search for words, or narrow it with from:, before: or after:"
    )
