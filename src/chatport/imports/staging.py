"""The staging area: records prepared from an archive (or posted) awaiting conversion."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from chatport import ids
from chatport.db import tables

S = tables.import_staging


@dataclass
class StagedRecord:
    seq: int
    id: str
    operation_id: str
    data_type: str
    import_id: str | None
    data: dict[str, Any]
    source: dict[str, Any] | None
    errors: list[dict[str, Any]] | None
    warnings: list[dict[str, Any]] | None
    skipped: bool
    skip_reason: str | None
    state: str


def _rec(r: Any) -> StagedRecord:
    return StagedRecord(
        seq=r.seq,
        id=r.id,
        operation_id=r.operation_id,
        data_type=r.data_type,
        import_id=r.import_id,
        data=dict(r.data),
        source=r.source,
        errors=r.errors,
        warnings=r.warnings,
        skipped=bool(r.skipped),
        skip_reason=r.skip_reason,
        state=r.state,
    )


def add(
    conn: Connection,
    operation_id: str,
    data_type: str,
    records: Iterable[dict[str, Any]],
    now: int,
    source: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
    skip_reason: str | None = None,
    warnings: list[dict[str, Any]] | None = None,
    state: str = "pending",
) -> int:
    rows = []
    for data in records:
        import_ids = data.get("importIds") or []
        rows.append(
            {
                "id": ids.object_id(),
                "operation_id": operation_id,
                "data_type": data_type,
                "import_id": str(import_ids[0]) if import_ids else None,
                "data": data,
                "source": source,
                "errors": errors,
                "warnings": warnings,
                "state": state,
                "skipped": skip_reason is not None,
                "skip_reason": skip_reason,
                "updated_at": now,
            }
        )
    if rows:
        conn.execute(S.insert(), rows)
    return len(rows)


def clear_operation(conn: Connection, operation_id: str) -> None:
    conn.execute(delete(S).where(S.c.operation_id == operation_id))


def iter_records(
    conn: Connection, operation_id: str, data_type: str, after_seq: int = 0, batch: int = 500
) -> Iterator[list[StagedRecord]]:
    last = after_seq
    while True:
        rows = conn.execute(
            select(S)
            .where(S.c.operation_id == operation_id, S.c.data_type == data_type, S.c.seq > last)
            .order_by(S.c.seq)
            .limit(batch)
        ).fetchall()
        if not rows:
            return
        yield [_rec(r) for r in rows]
        last = rows[-1].seq


def records(conn: Connection, operation_id: str, data_type: str) -> list[StagedRecord]:
    rows = conn.execute(
        select(S)
        .where(S.c.operation_id == operation_id, S.c.data_type == data_type)
        .order_by(S.c.seq)
    )
    return [_rec(r) for r in rows]


def count(conn: Connection, operation_id: str, data_type: str | None = None) -> int:
    query = select(func.count()).select_from(S).where(S.c.operation_id == operation_id)
    if data_type:
        query = query.where(S.c.data_type == data_type)
    return int(conn.execute(query).scalar_one())


def mark(
    conn: Connection,
    record_id: str,
    state: str,
    now: int,
    *,
    errors: list[dict[str, Any]] | None = None,
    warnings: list[dict[str, Any]] | None = None,
    skip_reason: str | None = None,
) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": now}
    if errors is not None:
        values["errors"] = errors
    if warnings is not None:
        values["warnings"] = warnings
    if skip_reason is not None:
        values["skipped"] = True
        values["skip_reason"] = skip_reason
    conn.execute(update(S).where(S.c.id == record_id).values(**values))


def mark_done(conn: Connection, record_ids: list[str], now: int) -> None:
    """:func:`mark` ``done`` for many records in one ``executemany``."""
    if not record_ids:
        return
    conn.execute(
        update(S).where(S.c.id == bindparam("b_id")).values(state="done", updated_at=now),
        [{"b_id": record_id} for record_id in record_ids],
    )


def remove_clean(conn: Connection, operation_id: str) -> None:
    """Cleanup: records converted without error or warning leave staging (importers §1.1)."""
    conn.execute(
        delete(S).where(
            S.c.operation_id == operation_id,
            S.c.state == "done",
            S.c.errors.is_(None),
            S.c.warnings.is_(None),
        )
    )
