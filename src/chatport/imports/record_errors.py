"""The per-record errors of the current import operation, for the admin page (docs/api.md).

Records that failed on their own stay in the staging area with their error codes
(importers §1.1, §1.6) until the next operation clears it; this lists them, oldest first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from chatport.context import Context
from chatport.db import tables
from chatport.imports import operations as ops

S = tables.import_staging


def _page(
    conn: Connection, operation_id: str, offset: int, count: int, warnings: bool
) -> tuple[list[dict[str, Any]], int]:
    problem: ColumnElement[bool] = S.c.errors.is_not(None)
    if warnings:
        problem = or_(problem, S.c.warnings.is_not(None))
    where = (S.c.operation_id == operation_id, problem)
    total = int(conn.execute(select(func.count()).select_from(S).where(*where)).scalar_one())
    rows = conn.execute(
        select(S.c.id, S.c.data_type, S.c.import_id, S.c.source, S.c.errors, S.c.warnings)
        .where(*where)
        .order_by(S.c.seq)
        .offset(offset)
        .limit(count)
    )
    items: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {"_id": row.id, "dataType": row.data_type}
        if row.import_id:
            item["importId"] = row.import_id
        if row.source:
            item["source"] = row.source
        item["errors"] = list(row.errors or [])
        if warnings and row.warnings:
            item["warnings"] = list(row.warnings)
        items.append(item)
    return items, total


def current_errors(ctx: Context, offset: int, count: int, warnings: bool = False) -> dict[str, Any]:
    """``{"operation", "errors", "count", "offset", "total"}`` for the current operation;
    with ``warnings``, records that only carry warnings (a renamed room, a dropped member)
    are listed too, each with its ``warnings``."""
    with ctx.engine.connect() as conn:
        op = ops.current(conn)
        if op is None:
            return {"errors": [], "count": 0, "offset": offset, "total": 0}
        items, total = _page(conn, op.id, offset, count, warnings)
    return {
        "operation": op.id,
        "errors": items,
        "count": len(items),
        "offset": offset,
        "total": total,
    }
