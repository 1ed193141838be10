"""The loop every staged-record phase runs: batch, dispatch, mark, count, commit, checkpoint.

A record carrying a prepare error counts as an error, a record skipped at preparation or left
out by the selection as skipped; the others go to the phase's converter. Each batch is one
transaction with its checkpoint (the staging sequence of its last record).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, update

from chatport.db import tables
from chatport.imports import staging
from chatport.imports.phases.run import Run, Tally
from chatport.imports.staging import StagedRecord
from chatport.jobs import crash


class Outcome(Protocol):
    state: str
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


def convert_staged(
    run: Run,
    data_type: str,
    kind: str,
    batch_size: int,
    selected: Callable[[StagedRecord], bool],
    convert: Callable[[Connection, StagedRecord, int], Outcome],
    begin_batch: Callable[[Connection, list[StagedRecord]], None] | None = None,
) -> None:
    """``begin_batch`` sees each batch's records to convert, in its transaction, before the
    first of them is converted (the users phase loads their lookups at once)."""
    seq_key = f"{kind}_seq"
    while True:
        run.lease.checkpoint()
        after = int(run.checkpoint.get(seq_key, 0))
        with run.ctx.engine.connect() as conn:
            batch = next(staging.iter_records(conn, run.op.id, data_type, after, batch_size), [])
        if not batch:
            return
        now = run.now()
        tally = Tally()
        marks = _Marks(now)
        with run.ctx.engine.begin() as conn:
            if begin_batch is not None:
                begin_batch(conn, [rec for rec in batch if not rec.errors and not rec.skipped])
            for rec in batch:
                if rec.errors:
                    marks.add(rec.id, "error")
                    tally.add("error")
                elif rec.skipped:
                    marks.add(rec.id, "skipped")
                    tally.add("skipped")
                elif not selected(rec):
                    marks.add(rec.id, "skipped", skip_reason="importer-record-not-selected")
                    tally.add("skipped")
                else:
                    outcome = convert(conn, rec, now)
                    marks.add(
                        rec.id,
                        outcome.state,
                        errors=outcome.errors or None,
                        warnings=outcome.warnings or None,
                        skip_reason=getattr(outcome, "skip_reason", None),
                    )
                    tally.add(outcome.state)
            marks.write(conn)
            position: dict[str, Any] = {seq_key: batch[-1].seq}
            run.commit(conn, tally, kind=kind, **position)
        crash.point("convert.after_commit")


_S = tables.import_staging
_OPTIONAL = ("errors", "warnings", "skip_reason")


class _Marks:
    """The batch's :func:`staging.mark` calls, written at the end in one ``executemany`` per
    shape (which optional fields are set): the same rows as one ``UPDATE`` per record, without
    a compiled statement and a round trip for each (a third of the users phase's statements).
    Converters never read the staging rows of their own batch, so the order does not matter.
    """

    def __init__(self, now: int) -> None:
        self.now = now
        self.shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def add(
        self,
        record_id: str,
        state: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        warnings: list[dict[str, Any]] | None = None,
        skip_reason: str | None = None,
    ) -> None:
        given = {"errors": errors, "warnings": warnings, "skip_reason": skip_reason}
        shape = tuple(key for key in _OPTIONAL if given[key] is not None)
        params: dict[str, Any] = {"b_id": record_id, "b_state": state}
        params.update((f"b_{key}", given[key]) for key in shape)
        self.shapes.setdefault(shape, []).append(params)

    def write(self, conn: Connection) -> None:
        for shape, params in self.shapes.items():
            values: dict[str, Any] = {"state": bindparam("b_state"), "updated_at": self.now}
            for key in shape:
                values[key] = bindparam(f"b_{key}", type_=_S.c[key].type)
            if "skip_reason" in shape:
                values["skipped"] = True
            conn.execute(update(_S).where(_S.c.id == bindparam("b_id")).values(values), params)
