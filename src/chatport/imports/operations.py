"""The persistent import operation record and every write to it.

All state lives in the database. Writes by background work are fenced by the lease: a worker
that lost its lease (it paused past ``lease_until`` and another took over) updates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from chatport import ids
from chatport.clock import iso_ms
from chatport.db import tables
from chatport.imports import steps

OPS = tables.import_operations

COUNT_ORDER = (
    "total",
    "completed",
    "error",
    "skipped",
    "users",
    "channels",
    "messages",
    "contacts",
)
DOC_ORDER = (
    "file",
    "contentType",
    "count",
    "messagesstatus",
    "failureReason",
    "failureMessage",
    "unreachableHosts",  # chatport: pending runs, hosts given up on (importers §6)
    # chatport: when startImport (or a pending run) began the work; elapsed time and rates
    # count from here, not from the upload (time on the prepare page is the admin's)
    "importStartedAt",
)


@dataclass
class Operation:
    seq: int
    id: str
    type: str
    importer_key: str
    ts: int
    status: str
    valid: bool
    user_id: str
    updated_at: int
    doc: dict[str, Any] = field(default_factory=dict)
    stored_name: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None
    lease_owner: str | None = None
    lease_until: int | None = None
    cancel_requested: bool = False
    checkpoint: dict[str, Any] | None = None

    @property
    def count(self) -> dict[str, int]:
        return dict(self.doc.get("count") or {})

    def record(self) -> dict[str, Any]:
        """The operation as Rocket.Chat clients read it (rest-api §3.1), keys in order."""
        out: dict[str, Any] = {
            "_id": self.id,
            "type": self.type,
            "importerKey": self.importer_key,
            "ts": iso_ms(self.ts),
            "status": self.status,
            "valid": self.valid,
            "user": self.user_id,
            "_updatedAt": iso_ms(self.updated_at),
        }
        for key in DOC_ORDER:
            if key not in self.doc:
                continue
            value = self.doc[key]
            out[key] = ordered_count(value) if key == "count" else value
        return out


def ordered_count(count: dict[str, int]) -> dict[str, int]:
    return {k: count[k] for k in COUNT_ORDER if k in count}


def _op(r: Any) -> Operation:
    return Operation(
        seq=r.seq,
        id=r.id,
        type=r.type,
        importer_key=r.importer_key,
        ts=r.ts,
        status=r.status,
        valid=bool(r.valid),
        user_id=r.user_id,
        updated_at=r.updated_at,
        doc=dict(r.doc or {}),
        stored_name=r.stored_name,
        file_size=r.file_size,
        file_sha256=r.file_sha256,
        lease_owner=r.lease_owner,
        lease_until=r.lease_until,
        cancel_requested=bool(r.cancel_requested),
        checkpoint=dict(r.checkpoint) if r.checkpoint else None,
    )


def _serialise(conn: Connection) -> None:
    """Serialise operation creation: BEGIN IMMEDIATE already does it on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")


#: Operations whose per-record problems stay readable (import.errors?operationId=…) after the
#: next operation: as many as getLatestImportOperations lists.
KEEP_PROBLEMS_OF = 20


def clear(conn: Connection, now: int) -> None:
    """Invalidate every valid record and empty the staging area (statuses unchanged).

    Staged records that carry an error or a warning stay for the newest
    :data:`KEEP_PROBLEMS_OF` operations, so each import's detail page keeps its errors after
    the next import; nothing reads another operation's staging otherwise.
    """
    _serialise(conn)
    S = tables.import_staging
    recent = select(OPS.c.id).order_by(OPS.c.seq.desc()).limit(KEEP_PROBLEMS_OF).subquery()
    # Staging first, then operations: the order a conversion batch takes its locks in (it
    # marks staged records, then commits its counts), so the two never deadlock.
    conn.execute(
        S.delete().where(
            or_(
                and_(S.c.errors.is_(None), S.c.warnings.is_(None)),
                S.c.operation_id.not_in(select(recent.c.id)),
            )
        )
    )
    P = tables.pending_items
    conn.execute(P.delete().where(or_(P.c.state != "error", P.c.op_id.not_in(select(recent.c.id)))))
    conn.execute(update(OPS).where(OPS.c.valid.is_(True)).values(valid=False, updated_at=now))


def create(conn: Connection, *, key: str, type_name: str, user_id: str, now: int) -> Operation:
    clear(conn, now)
    op_id = ids.object_id()
    conn.execute(
        OPS.insert().values(
            id=op_id,
            type=type_name,
            importer_key=key,
            ts=now,
            status=steps.NEW,
            valid=True,
            user_id=user_id,
            updated_at=now,
            doc={},
        )
    )
    created = get(conn, op_id)
    assert created is not None
    return created


def get(conn: Connection, op_id: str) -> Operation | None:
    r = conn.execute(select(OPS).where(OPS.c.id == op_id)).first()
    return _op(r) if r else None


def current(conn: Connection) -> Operation | None:
    r = conn.execute(select(OPS).order_by(OPS.c.ts.desc(), OPS.c.seq.desc()).limit(1)).first()
    return _op(r) if r else None


def latest(conn: Connection, limit: int = 20) -> list[Operation]:
    rows = conn.execute(
        select(OPS).order_by(OPS.c.updated_at.desc(), OPS.c.seq.desc()).limit(limit)
    )
    return [_op(r) for r in rows]


def update_op(
    conn: Connection,
    op: Operation,
    now: int,
    *,
    status: str | None = None,
    doc_set: dict[str, Any] | None = None,
    doc_unset: tuple[str, ...] = (),
    owner: str | None = None,
    expect_status: frozenset[str] | None = None,
    require_valid: bool = False,
    **columns: Any,
) -> bool:
    """Write ``op`` (and mirror the change on the object). Returns False when fenced out.

    ``owner`` fences the write to the lease holder; ``expect_status`` and ``require_valid``
    make it a compare-and-set.
    """
    doc = dict(op.doc)
    doc.update(doc_set or {})
    for key in doc_unset:
        doc.pop(key, None)
    values: dict[str, Any] = {"updated_at": now, "doc": doc, **columns}
    if status is not None:
        values["status"] = status
    conditions = [OPS.c.id == op.id]
    if owner is not None:
        conditions.append(OPS.c.lease_owner == owner)
    if expect_status is not None:
        conditions.append(OPS.c.status.in_(sorted(expect_status)))
    if require_valid:
        conditions.append(OPS.c.valid.is_(True))
    result = conn.execute(update(OPS).where(and_(*conditions)).values(**values))
    if result.rowcount != 1:
        return False
    op.doc = doc
    op.updated_at = now
    if status is not None:
        op.status = status
    for key, value in columns.items():
        setattr(op, key, value)
    return True


def claim(conn: Connection, op_id: str, owner: str, now: int, lease_ms: int) -> Operation | None:
    """Take the lease if it is free or expired (one winner, even across processes)."""
    result = conn.execute(
        update(OPS)
        .where(
            OPS.c.id == op_id,
            or_(OPS.c.lease_owner.is_(None), OPS.c.lease_until < now, OPS.c.lease_owner == owner),
        )
        .values(lease_owner=owner, lease_until=now + lease_ms, heartbeat_at=now)
    )
    if result.rowcount != 1:
        return None
    return get(conn, op_id)


def leased_transient(conn: Connection, now: int) -> list[Operation]:
    """Operations in a transient state under a lease that has not expired yet."""
    resting = {steps.FILE_LOADED, steps.USER_SELECTION, *steps.FINAL}
    rows = conn.execute(
        select(OPS)
        .where(
            OPS.c.status.not_in(sorted(resting)),
            OPS.c.lease_owner.is_not(None),
            OPS.c.lease_until >= now,
        )
        .order_by(OPS.c.seq)
    )
    return [_op(r) for r in rows]


def take_over(
    conn: Connection, op_id: str, old_owner: str, owner: str, now: int, lease_ms: int
) -> Operation | None:
    """Move the lease from ``old_owner`` (a process known dead) to ``owner``; one winner."""
    result = conn.execute(
        update(OPS)
        .where(OPS.c.id == op_id, OPS.c.lease_owner == old_owner)
        .values(lease_owner=owner, lease_until=now + lease_ms, heartbeat_at=now)
    )
    if result.rowcount != 1:
        return None
    conn.execute(
        update(tables.pending_items)
        .where(
            tables.pending_items.c.op_id == op_id,
            tables.pending_items.c.lease_owner.like(f"{old_owner}/%"),
        )
        .values(lease_owner=None, lease_until=None)
    )
    return get(conn, op_id)


def renew(conn: Connection, op_id: str, owner: str, now: int, lease_ms: int) -> tuple[bool, bool]:
    """Extend the lease; answers (still owned, still valid)."""
    result = conn.execute(
        update(OPS)
        .where(OPS.c.id == op_id, OPS.c.lease_owner == owner)
        .values(lease_until=now + lease_ms, heartbeat_at=now)
    )
    if result.rowcount != 1:
        return False, False
    valid = conn.execute(select(OPS.c.valid).where(OPS.c.id == op_id)).scalar_one()
    return True, bool(valid)


def release(conn: Connection, op_id: str, owner: str) -> None:
    conn.execute(
        update(OPS)
        .where(OPS.c.id == op_id, OPS.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


def transient_unleased(conn: Connection, now: int, lease_ms: int) -> list[Operation]:
    """Operations in a transient state whose lease expired, or that nobody leased in time.

    A request moves a new operation on within milliseconds, so one left unleased for a whole
    lease period belongs to a dead process.
    """
    resting = {steps.FILE_LOADED, steps.USER_SELECTION, *steps.FINAL}
    rows = conn.execute(
        select(OPS)
        .where(
            OPS.c.status.not_in(sorted(resting)),
            or_(
                and_(OPS.c.lease_until.is_(None), OPS.c.updated_at < now - lease_ms),
                OPS.c.lease_until < now,
            ),
        )
        .order_by(OPS.c.seq)
    )
    return [_op(r) for r in rows]
