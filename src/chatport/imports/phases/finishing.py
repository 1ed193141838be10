"""Finishing (importers §1.10): threads, pins and each touched room's last message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chatport.accounts import repository as accounts_repo
from chatport.db import search_index, tables
from chatport.imports import staging
from chatport.imports.auto_pending import schedule_after
from chatport.imports.convert.lookups import RoomLookup
from chatport.imports.phases.archive_files import attach_archive_files
from chatport.imports.phases.run import Run, ThreadTally
from chatport.workspace import message_upkeep as upkeep
from chatport.workspace import messages as messages_repo
from chatport.workspace.documents import render_message

M = tables.messages


#: Thread parents per transaction (read and written 500 at a time inside it): most parents
#: of a fresh import need no write at all, and each commit is an fsync on SQLite.
_THREADS_PER_COMMIT = 5000


def finish(run: Run) -> None:
    if run.op.importer_key == "slack":
        attach_archive_files(run)  # __uploads/ members (importers §6.2), before lastMessage
    with run.ctx.engine.connect() as conn:
        rooms = RoomLookup(run.namespace).load(conn)
    room_ids = sorted({ref.id for ref in rooms.by_import_id.values()})
    now = run.now()
    with run.ctx.engine.begin() as conn:
        _pins(run, conn, now)
    threads = run.threads
    known = threads.parent_ids() if threads is not None else None
    for start in range(0, len(known or ()), _THREADS_PER_COMMIT):
        run.lease.checkpoint()
        with run.ctx.engine.begin() as conn:
            _threads(run, conn, (known or [])[start : start + _THREADS_PER_COMMIT], now, threads)
    for start in range(0, len(room_ids), 200):
        chunk = room_ids[start : start + 200]
        run.lease.checkpoint()
        with run.ctx.engine.begin() as conn:
            if known is None:  # a resumed run: the rooms' replies name the parents
                parents = [
                    t
                    for (t,) in conn.execute(
                        select(M.c.tmid).where(M.c.rid.in_(chunk), M.c.tmid.is_not(None)).distinct()
                    )
                ]
                _threads(run, conn, parents, now)
            for room_id in chunk:
                upkeep.refresh_last_message(conn, room_id, now=now)
    with run.ctx.engine.begin() as conn:
        search_index.settle(conn)
    if run.op.importer_key == "slack":
        schedule_after(run.ctx, run.op.id)


def _threads(
    run: Run, conn: Any, parents: list[str], now: int, known: ThreadTally | None = None
) -> None:
    for parent_id in upkeep.refresh_threads(conn, parents, now=now, known=known):
        _orphans(run, conn, parent_id, now)


def _orphans(run: Run, conn: Any, parent_id: str, now: int) -> None:
    """Children of a missing parent are shown in the room, with a warning each."""
    children = [i for (i,) in conn.execute(select(M.c.id).where(M.c.tmid == parent_id))]
    for child in children:
        upkeep.update_message(conn, child, unset=("tmid",), now=now)
        staging.add(
            conn,
            run.op.id,
            "message",
            [{"_id": child, "tmid": parent_id}],
            now,
            warnings=[{"message": "importer-message-thread-parent-missing"}],
            state="done",
        )


_PIN_CHUNK = 500


def _pins(run: Run, conn: Any, now: int) -> None:
    events = list(staging.records(conn, run.op.id, "pin"))
    # Unpins are staged among the messages kept for their warnings, errors and skips, which a
    # big import has by the hundred thousand: stream those, keep only the unpins.
    for chunk in staging.iter_records(conn, run.op.id, "message"):
        events.extend(rec for rec in chunk if rec.skip_reason and rec.data.get("pinTarget"))
    events.extend(_channel_pins(run, conn))
    events.sort(key=lambda r: (r.data.get("ts") or 0, r.seq))
    for start in range(0, len(events), _PIN_CHUNK):
        _apply_pins(run, conn, events[start : start + _PIN_CHUNK], now)


def _channel_pins(run: Run, conn: Any) -> list[staging.StagedRecord]:
    """channels.json ``pins[]`` as pin events (importers §8): ``pinnedAt`` = ``created``
    (else the message's own time), ``pinnedBy`` = ``user`` when that user was imported."""
    pins: list[tuple[str, dict[str, Any]]] = []
    for chunk in staging.iter_records(conn, run.op.id, "channel"):
        for rec in chunk:
            pins.extend((rec.id, pin) for pin in rec.data.get("_pins") or [])
    if not pins:
        return []
    wanted = sorted({p["pinnedBy"] for _, p in pins if isinstance(p.get("pinnedBy"), str)})
    users = accounts_repo.find_by_import_ids(conn, run.namespace, wanted)
    events = []
    for channel_record, pin in pins:
        by = users.get(pin.get("pinnedBy") or "")
        data: dict[str, Any] = {
            "pinTarget": {"_id": pin["_id"]},
            "ts": pin.get("pinnedAt"),
            "_channel_record": channel_record,
        }
        if by is not None:
            data["_author"] = {"_id": by.id, "username": by.username}
        events.append(
            staging.StagedRecord(
                seq=-1,
                id="",
                operation_id=run.op.id,
                data_type="pin",
                import_id=None,
                data=data,
                source=None,
                errors=None,
                warnings=None,
                skipped=False,
                skip_reason=None,
                state="pending",
            )
        )
    return events


def _pin_target(rec: staging.StagedRecord) -> str | None:
    target = (rec.data.get("pinTarget") or {}).get("_id")
    return target if isinstance(target, str) and target else None


def _apply_pins(run: Run, conn: Any, events: list[staging.StagedRecord], now: int) -> None:
    """Pins and unpins in time order, applied in memory to the messages they touch, then
    written in one statement: the same documents as one update per event, without a round
    trip (or three) per pin."""
    wanted: list[str] = []
    for rec in events:
        target = _pin_target(rec)
        if target:
            wanted.append(target)
            if not rec.skip_reason and isinstance(rec.data.get("_id"), str):
                wanted.append(rec.data["_id"])
    stored = messages_repo.get_messages(conn, wanted)
    docs = {message_id: row.doc for message_id, row in stored.items()}
    done: list[str] = []
    for rec in events:
        target = _pin_target(rec)
        if not target:
            continue
        if target not in docs:
            warning = [{"message": "importer-message-pin-target-not-found"}]
            if rec.id:
                staging.mark(conn, rec.id, "done", now, warnings=warning)
            else:  # a channels.json pin: its own warning record (not a pin event to redo)
                staging.add(
                    conn,
                    run.op.id,
                    "message",
                    [{"_id": target}],
                    now,
                    warnings=warning,
                    state="done",
                )
            continue
        if rec.skip_reason:  # unpinned_item
            docs[target] = upkeep.apply_fields(
                docs[target], unset=("pinned", "pinnedAt", "pinnedBy")
            )
        else:
            before = render_message(target, docs[target], stored[target].updated_at)
            author = rec.data.get("_author")
            pin: dict[str, Any] = {
                "pinned": True,
                "pinnedAt": rec.data.get("ts") or docs[target].get("ts"),
            }
            if author:
                pin["pinnedBy"] = {"_id": author.get("_id"), "username": author.get("username")}
            docs[target] = upkeep.apply_fields(docs[target], pin)
            pin_id = rec.data.get("_id")
            if pin_id in docs:
                docs[pin_id] = upkeep.apply_fields(docs[pin_id], {"attachments": [_quote(before)]})
        if rec.id:
            done.append(rec.id)
    upkeep.replace_documents(conn, ((stored[i], doc) for i, doc in docs.items()), now=now)
    staging.mark_done(conn, done, now)


def _quote(target: dict[str, Any]) -> dict[str, Any]:
    """Rocket.Chat's native quote of a pinned message, in place of Slack's pin attachment."""
    username = (target.get("u") or {}).get("username", "")
    return {
        "text": target.get("msg", ""),
        "author_name": username,
        "author_icon": f"/avatar/{username}",
        "ts": target.get("ts"),
    }
