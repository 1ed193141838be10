"""SQL over a message document's JSON fields, spelled for each backend.

SQLAlchemy's JSON indexing quotes differently on SQLite (``JSON_QUOTE(JSON_EXTRACT(...))``)
and cannot say "the field is present"; the read queries need exactly "present" and "as text",
so these few expressions are written out once here. Field names are constants of the code,
never user input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, literal_column, text


def field_text(conn: Connection, *path: str, table: str = "messages") -> Any:
    """``doc.<path>`` as text (NULL when absent)."""
    if conn.dialect.name == "postgresql":
        steps = "".join(f" -> '{p}'" for p in path[:-1])
        return literal_column(f"({table}.doc{steps} ->> '{path[-1]}')")
    return literal_column(f"json_extract({table}.doc, '$.{'.'.join(path)}')")


def has_field(conn: Connection, field: str, table: str = "messages") -> Any:
    """``doc`` has the top-level ``field`` (Mongo's ``$exists: true``)."""
    if conn.dialect.name == "postgresql":
        return text(f"({table}.doc ? '{field}')")
    return text(f"json_type({table}.doc, '$.{field}') IS NOT NULL")


def array_holds(conn: Connection, path: str, key: str, name: str, wanted: Sequence[str]) -> Any:
    """``doc.<path>`` is an array holding an element whose ``key`` is one of ``wanted``
    (an element equal to one of them, when ``key`` is empty: ``replies``)."""
    if conn.dialect.name == "postgresql":
        element = f"e ->> '{key}'" if key else "e #>> '{}'"
        sql = (
            "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(messages.doc -> "
            f"'{path}') = 'array' THEN messages.doc -> '{path}' ELSE '[]'::jsonb END) AS e "
            f"WHERE {element} IN :{name})"
        )
    else:
        element = f"json_extract(e.value, '$.{key}')" if key else "e.value"
        sql = (
            f"EXISTS (SELECT 1 FROM json_each(messages.doc, '$.{path}') AS e "
            f"WHERE json_type(messages.doc, '$.{path}') = 'array' "
            f"AND {element} IN :{name})"
        )
    return text(sql).bindparams(bindparam(name, value=list(wanted), expanding=True))
