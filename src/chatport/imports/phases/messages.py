"""The messages phase: read the archive again and stream messages into the store.

Memory stays flat: one batch of documents at a time, plus the user and room maps. Each batch
is one transaction with its checkpoint (the reader position of its last record), so a
restart continues after the last committed batch and re-reading never duplicates: messages
are written by deterministic ``_id``.

A large Slack export is read and converted by child processes, day file by day file
(:mod:`chatport.imports.slack_member_work`), while this process writes: the records arrive in
the same order with the same outcomes, so batches and checkpoints do not depend on it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from chatport.imports import staging, steps
from chatport.imports.convert.caps import caps_from
from chatport.imports.convert.lookups import RoomLookup
from chatport.imports.convert.messages import MessageConverter
from chatport.imports.phases.channels import unselected_room_ids
from chatport.imports.phases.message_outcomes import Kept, Outcome, classify
from chatport.imports.phases.run import Run, Tally, ThreadTally, user_lookup
from chatport.imports.slack_member_work import (
    ConvertSpec,
    convert_task,
    open_converter,
)
from chatport.imports.stage_slack import open_export, reader_spec, use_workers
from chatport.jobs import crash
from chatport.jobs.member_pool import MemberPool
from chatport.workspace import messages as messages_repo
from chatport.workspace import rooms as rooms_repo

Records = Generator[tuple[int, int, Outcome], None, None]


class _Batch:
    def __init__(self) -> None:
        self.rows: list[messages_repo.EncodedRow] = []
        self.kept: list[Kept] = []  # staged leftovers
        self.tally = Tally()
        self.last: tuple[int, int] | None = None
        self.size = 0

    def take(self, member: int, index: int, outcome: Outcome) -> None:
        state, row, kept = outcome
        if row is not None:
            self.rows.append(row)
        else:
            self.tally.add(state)
        if kept:
            self.kept.extend(kept)
        self.last = (member, index)
        self.size += 1


def convert_messages(run: Run) -> None:
    position = run.checkpoint.get("messages_pos")
    start = (int(position[0]), int(position[1]) + 1) if position else (0, 0)
    with _open_source(run) as export:
        records = (
            _from_children(run, export, start)
            if run.op.importer_key == "slack" and use_workers(run.ctx, export, start[0])
            else _from_here(run, export, start)
        )
        threads = ThreadTally()
        try:
            _write(run, export, records, threads)
            run.threads = threads if start == (0, 0) else None
        finally:
            records.close()  # stops the children at once on cancellation or failure


def _write(
    run: Run, export: Any, records: Iterator[tuple[int, int, Outcome]], threads: ThreadTally
) -> None:
    batch_size = max(1, run.ctx.config.import_message_batch)
    batch = _Batch()
    with run.ctx.engine.connect() as conn:
        before = rooms_repo.total_messages(conn)
    rows = 0
    for member, index, outcome in records:
        batch.take(member, index, outcome)
        row = outcome[1]
        if row is not None:
            threads.see(row)
        if batch.size >= batch_size:
            rows += len(batch.rows)
            _flush(run, batch, export.day_label(member))
            batch = _Batch()
    if batch.size:
        rows += len(batch.rows)
        _flush(run, batch, None)
    # Every row a new insert (rooms count inserts only): the rows as written are as stored.
    with run.ctx.engine.connect() as conn:
        threads.clean = rooms_repo.total_messages(conn) - before == rows


def _from_here(run: Run, export: Any, start: tuple[int, int]) -> Records:
    with run.ctx.engine.connect() as conn:
        users = user_lookup(run, conn)
        rooms = RoomLookup(run.namespace).load(conn)
    unselected = unselected_room_ids(run)
    with run.ctx.engine.connect() as lookup_conn:
        converter = MessageConverter(
            lookup_conn, users, rooms, unselected, caps_from(run.ctx.config)
        )
        for member, index, record in export.messages(*start):
            yield member, index, classify(converter, record)


def _from_children(run: Run, export: Any, start: tuple[int, int]) -> Records:
    spec = ConvertSpec(
        reader=reader_spec(run.ctx, run.op, for_import=True),
        database_url=run.ctx.config.resolved_database_url(),
        namespace=run.namespace,
        unselected=frozenset(unselected_room_ids(run)),
        caps=caps_from(run.ctx.config),
    )
    members = [start] + [(p, 0) for p in range(start[0] + 1, len(export.message_members()))]
    with MemberPool(
        open_converter,
        convert_task,
        spec,
        members,
        run.ctx.config.import_workers,
        weights=export.day_file_sizes(start[0]),
    ) as pool:
        for member, chunk in pool:
            for index, outcome in chunk:
                yield member, index, outcome


def _open_source(run: Run) -> Any:
    """The archive's message reader for this importer (one interface for all of them)."""
    if run.op.importer_key == "csv":
        from chatport.imports.stage_csv import open_csv

        return open_csv(run.ctx, run.op)
    if run.op.importer_key == "hipchatenterprise":
        from chatport.imports.stage_hipchat import open_hipchat

        return open_hipchat(run.ctx, run.op, tick=run.lease.checkpoint)
    return open_export(run.ctx, run.op, for_import=True)


def _flush(run: Run, batch: _Batch, label: str | None) -> None:
    run.lease.checkpoint()
    now = run.now()
    with run.ctx.engine.begin() as conn:
        written = messages_repo.upsert_encoded(conn, batch.rows, now=now)
        conflicts = set(written.conflicts)
        tally = batch.tally
        tally.completed += len(batch.rows) - len(conflicts)
        tally.error += len(conflicts)
        for message_id in sorted(conflicts):
            staging.add(
                conn,
                run.op.id,
                "message",
                [{"_id": message_id}],
                now,
                errors=[{"message": "importer-message-id-conflict"}],
                state="error",
            )
        for state, data, extra in batch.kept:
            data_type = "pin" if state == "pin" else "message"
            staging.add(
                conn,
                run.op.id,
                data_type,
                [data],
                now,
                source=extra.get("source"),
                errors=extra.get("errors"),
                warnings=extra.get("warnings"),
                skip_reason=extra.get("skip_reason"),
                state="pending" if state == "pin" else state,
            )
        assert batch.last is not None
        checkpoint: dict[str, Any] = {"messages_pos": list(batch.last)}
        if label:
            run.op.doc["messagesstatus"] = label
        run.commit(conn, tally, status=steps.IMPORTING_MESSAGES, kind="messages", **checkpoint)
    crash.point("convert.after_commit")
