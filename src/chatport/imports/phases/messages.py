"""The messages phase: read the archive again and stream messages into the store.

Memory stays flat: one batch of documents at a time, plus the user and room maps. Each batch
is one transaction with its checkpoint (the reader position of its last record), so a
restart continues after the last committed batch and re-reading never duplicates: messages
are written by deterministic ``_id``.
"""

from __future__ import annotations

from typing import Any

from chatport.imports import staging, steps
from chatport.imports.convert.lookups import RoomLookup
from chatport.imports.convert.messages import MessageConverter
from chatport.imports.importers.slack.records import ReaderRecord
from chatport.imports.phases.channels import unselected_room_ids
from chatport.imports.phases.run import Run, Tally, user_lookup
from chatport.imports.stage_slack import open_export
from chatport.jobs import crash
from chatport.workspace import messages as messages_repo


class _Batch:
    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.kept: list[tuple[str, dict[str, Any], dict[str, Any]]] = []  # staged leftovers
        self.tally = Tally()
        self.last: tuple[int, int] | None = None
        self.size = 0


def convert_messages(run: Run) -> None:
    with run.ctx.engine.connect() as conn:
        users = user_lookup(run, conn)
        rooms = RoomLookup(run.namespace).load(conn)
    unselected = unselected_room_ids(run)
    batch_size = max(1, run.ctx.config.import_message_batch)
    position = run.checkpoint.get("messages_pos")
    start = (int(position[0]), int(position[1]) + 1) if position else (0, 0)
    with _open_source(run) as export, run.ctx.engine.connect() as lookup_conn:
        converter = MessageConverter(lookup_conn, users, rooms, unselected)
        batch = _Batch()
        for member, index, record in export.messages(*start):
            _take(converter, record, batch)
            batch.last = (member, index)
            batch.size += 1
            if batch.size >= batch_size:
                _flush(run, batch, export.day_label(member))
                batch = _Batch()
        if batch.size:
            _flush(run, batch, None)


def _open_source(run: Run) -> Any:
    """The archive's message reader for this importer (one interface for all of them)."""
    if run.op.importer_key == "csv":
        from chatport.imports.stage_csv import open_csv

        return open_csv(run.ctx, run.op)
    if run.op.importer_key == "hipchatenterprise":
        from chatport.imports.stage_hipchat import open_hipchat

        return open_hipchat(run.ctx, run.op, tick=run.lease.checkpoint)
    return open_export(run.ctx, run.op)


def _take(converter: MessageConverter, record: ReaderRecord, batch: _Batch) -> None:
    if record.errors:
        batch.tally.add("error")
        batch.kept.append(
            ("error", record.data, {"errors": record.errors, "source": record.source})
        )
        return
    if record.skip_reason:
        batch.tally.add("skipped")
        if record.data.get("pinTarget"):  # an unpin: finishing needs it
            batch.kept.append(
                (
                    "skipped",
                    record.data,
                    {"skip_reason": record.skip_reason, "source": record.source},
                )
            )
        return
    result = converter.convert(record.data)
    if result.doc is None:
        state = "error" if result.errors else "skipped"
        batch.tally.add(state)
        if state == "error":
            batch.kept.append(
                ("error", record.data, {"errors": result.errors, "source": record.source})
            )
        return
    warnings = list(record.warnings) + result.warnings
    if warnings:
        batch.kept.append(("done", record.data, {"warnings": warnings, "source": record.source}))
    if record.data.get("pinTarget") or record.data.get("_pins"):
        batch.kept.append(
            (
                "pin",
                {**record.data, "_rid": result.doc["rid"], "_author": result.doc["u"]},
                {"source": record.source},
            )
        )
    batch.docs.append(result.doc)


def _flush(run: Run, batch: _Batch, label: str | None) -> None:
    run.lease.checkpoint()
    now = run.now()
    with run.ctx.engine.begin() as conn:
        written = messages_repo.upsert_messages(conn, batch.docs, now=now)
        conflicts = set(written.conflicts)
        tally = batch.tally
        tally.completed += len(batch.docs) - len(conflicts)
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
