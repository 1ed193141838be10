"""Finishing (importers §1.10): threads, pins and each touched room's last message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chatport.db import tables
from chatport.imports import staging
from chatport.imports.convert.lookups import RoomLookup
from chatport.imports.phases.run import Run
from chatport.workspace import messages as messages_repo

M = tables.messages


def finish(run: Run) -> None:
    with run.ctx.engine.connect() as conn:
        rooms = RoomLookup(run.namespace).load(conn)
    room_ids = sorted({ref.id for ref in rooms.by_import_id.values()})
    now = run.now()
    with run.ctx.engine.begin() as conn:
        _pins(run, conn, now)
    for start in range(0, len(room_ids), 200):
        chunk = room_ids[start : start + 200]
        run.lease.checkpoint()
        with run.ctx.engine.begin() as conn:
            parents = [
                t
                for (t,) in conn.execute(
                    select(M.c.tmid).where(M.c.rid.in_(chunk), M.c.tmid.is_not(None)).distinct()
                )
            ]
            for parent_id in messages_repo.refresh_threads(conn, parents, now=now):
                _orphans(run, conn, parent_id, now)
            for room_id in chunk:
                messages_repo.refresh_last_message(conn, room_id, now=now)


def _orphans(run: Run, conn: Any, parent_id: str, now: int) -> None:
    """Children of a missing parent are shown in the room, with a warning each."""
    children = [i for (i,) in conn.execute(select(M.c.id).where(M.c.tmid == parent_id))]
    for child in children:
        messages_repo.update_message(conn, child, unset=("tmid",), now=now)
        staging.add(
            conn,
            run.op.id,
            "message",
            [{"_id": child, "tmid": parent_id}],
            now,
            warnings=[{"message": "importer-message-thread-parent-missing"}],
            state="done",
        )


def _pins(run: Run, conn: Any, now: int) -> None:
    events = []
    for rec in staging.records(conn, run.op.id, "pin"):
        events.append(rec)
    for rec in staging.records(conn, run.op.id, "message"):
        if rec.skip_reason and rec.data.get("pinTarget"):
            events.append(rec)
    events.sort(key=lambda r: (r.data.get("ts") or 0, r.seq))
    for rec in events:
        target = (rec.data.get("pinTarget") or {}).get("_id")
        if not target:
            continue
        current = messages_repo.get_message(conn, target)
        if current is None:
            staging.mark(
                conn,
                rec.id,
                "done",
                now,
                warnings=[{"message": "importer-message-pin-target-not-found"}],
            )
            continue
        if rec.skip_reason:  # unpinned_item
            messages_repo.update_message(
                conn, target, unset=("pinned", "pinnedAt", "pinnedBy"), now=now
            )
        else:
            author = rec.data.get("_author") or {}
            messages_repo.update_message(
                conn,
                target,
                set_fields={
                    "pinned": True,
                    "pinnedAt": rec.data.get("ts"),
                    "pinnedBy": {"_id": author.get("_id"), "username": author.get("username")},
                },
                now=now,
            )
            _native_pin_attachment(conn, rec.data, current.document(), now)
        staging.mark(conn, rec.id, "done", now)


def _native_pin_attachment(
    conn: Any, data: dict[str, Any], target: dict[str, Any], now: int
) -> None:
    """Replace the staged pin attachment with Rocket.Chat's native quote of the target."""
    pin_id = data.get("_id")
    if not pin_id or messages_repo.get_message(conn, pin_id) is None:
        return
    username = (target.get("u") or {}).get("username", "")
    attachment = {
        "text": target.get("msg", ""),
        "author_name": username,
        "author_icon": f"/avatar/{username}",
        "ts": target.get("ts"),
    }
    messages_repo.update_message(conn, pin_id, set_fields={"attachments": [attachment]}, now=now)
