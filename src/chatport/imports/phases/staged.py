"""The loop every staged-record phase runs: batch, dispatch, mark, count, commit, checkpoint.

A record carrying a prepare error counts as an error, a record skipped at preparation or left
out by the selection as skipped; the others go to the phase's converter. Each batch is one
transaction with its checkpoint (the staging sequence of its last record).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Connection

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
) -> None:
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
        with run.ctx.engine.begin() as conn:
            for rec in batch:
                if rec.errors:
                    staging.mark(conn, rec.id, "error", now)
                    tally.add("error")
                elif rec.skipped:
                    staging.mark(conn, rec.id, "skipped", now)
                    tally.add("skipped")
                elif not selected(rec):
                    staging.mark(
                        conn, rec.id, "skipped", now, skip_reason="importer-record-not-selected"
                    )
                    tally.add("skipped")
                else:
                    outcome = convert(conn, rec, now)
                    staging.mark(
                        conn,
                        rec.id,
                        outcome.state,
                        now,
                        errors=outcome.errors or None,
                        warnings=outcome.warnings or None,
                        skip_reason=getattr(outcome, "skip_reason", None),
                    )
                    tally.add(outcome.state)
            position: dict[str, Any] = {seq_key: batch[-1].seq}
            run.commit(conn, tally, kind=kind, **position)
        crash.point("convert.after_commit")
