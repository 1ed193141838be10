"""The per-record errors of the current import operation, for the admin page (docs/api.md).

Records that failed on their own stay in the staging area with their error codes
(importers §1.1, §1.6) until the next operation clears it; this lists them, oldest first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from chatport.context import Context
from chatport.db import tables
from chatport.errors import CodedError
from chatport.imports import operations as ops

S = tables.import_staging
#: Pending runs list their failed items instead of staged records.
PENDING_KINDS = {"pending-files": "file", "pending-avatars": "avatar"}


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


def _shown_url(url: str) -> str:
    """``scheme://host/path``: a query (Slack's file token) never leaves the server, and a
    data URI shows its type only."""
    if url[:5].lower() == "data:":
        return url.split(",", 1)[0][:64] + ",…"
    return url.split("?", 1)[0].split("#", 1)[0]


def _pending_page(
    conn: Connection, operation_id: str, kind: str, offset: int, count: int
) -> tuple[list[dict[str, Any]], int]:
    """A pending run's failed items: what each was for, its code and its reason."""
    P = tables.pending_items
    where = (P.c.op_id == operation_id, P.c.state == "error")
    total = int(conn.execute(select(func.count()).select_from(P).where(*where)).scalar_one())
    rows = conn.execute(
        select(P.c.item_key, P.c.url, P.c.targets, P.c.error, P.c.reason)
        .where(*where)
        .order_by(P.c.seq)
        .offset(offset)
        .limit(count)
    )
    items: list[dict[str, Any]] = []
    for row in rows:
        problem: dict[str, Any] = {"message": row.error or "importer-file-download-failed"}
        if row.reason:
            problem["details"] = {"reason": row.reason}
        targets = dict(row.targets or {})
        item: dict[str, Any] = {
            "_id": row.item_key,
            "dataType": kind,
            # scheme://host/path: the query (Slack's file token) never leaves the server
            "source": {"url": _shown_url(str(row.url))},
            "errors": [problem],
        }
        if targets.get("name"):
            item["source"]["name"] = targets["name"]
        if targets.get("ids"):
            item["messages"] = list(targets["ids"])
        items.append(item)
    return items, total


def current_errors(
    ctx: Context,
    offset: int,
    count: int,
    warnings: bool = False,
    operation_id: str | None = None,
) -> dict[str, Any]:
    """``{"operation", "errors", "count", "offset", "total"}`` for the current operation;
    with ``operation_id``, that operation's (the newest twenty keep theirs); with
    ``warnings``, records that only carry warnings (a renamed room, a dropped member)
    are listed too, each with its ``warnings``."""
    with ctx.engine.connect() as conn:
        op = ops.current(conn) if operation_id is None else ops.get(conn, operation_id)
        if op is None and operation_id is not None:
            raise CodedError(
                "error-operation-not-found", "Import Operation Not Found", "import.errors"
            )
        if op is None:
            return {"errors": [], "count": 0, "offset": offset, "total": 0}
        if op.importer_key in PENDING_KINDS:
            kind = PENDING_KINDS[op.importer_key]
            items, total = _pending_page(conn, op.id, kind, offset, count)
        else:
            items, total = _page(conn, op.id, offset, count, warnings)
    return {
        "operation": op.id,
        "errors": items,
        "count": len(items),
        "offset": offset,
        "total": total,
    }
