"""The channels phase: staged channel records to rooms and subscriptions."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from chatport.accounts import repository as accounts_repo
from chatport.accounts.settings_registry import DM_MAX_USERS
from chatport.imports import staging
from chatport.imports.convert.rooms import RoomOptions, RoomOutcome, convert_room
from chatport.imports.phases.run import Run, Tally, user_lookup
from chatport.jobs import crash
from chatport.workspace import rooms as rooms_repo
from chatport.workspace.subscriptions import Member

BATCH = 100


def _starter(conn: Connection, run: Run) -> Member:
    user_id = str(run.checkpoint.get("starter") or run.op.user_id)
    user = accounts_repo.get_user(conn, user_id)
    if user is None:
        return Member(user_id, user_id)
    return Member(user.id, user.username or user.id, user.doc.get("name"))


def convert_channels(run: Run) -> None:
    # Settings are read before the transaction: on SQLite a second connection opened inside
    # a write transaction of the same thread would wait for that very transaction.
    dm_max_users = int(run.ctx.settings.get(DM_MAX_USERS) or 1)
    with run.ctx.engine.begin() as conn:
        rooms_repo.ensure_general(conn, run.now())
        users = user_lookup(run, conn)
        options = RoomOptions(
            namespace=run.namespace,
            starter=_starter(conn, run),
            dm_max_users=dm_max_users,
            add_members_to_existing=run.ctx.config.import_add_members_to_existing_rooms,
        )
    while True:
        run.lease.checkpoint()
        after = int(run.checkpoint.get("channels_seq", 0))
        with run.ctx.engine.connect() as conn:
            batch = next(staging.iter_records(conn, run.op.id, "channel", after, BATCH), [])
        if not batch:
            return
        now = run.now()
        tally = Tally()
        with run.ctx.engine.begin() as conn:
            for rec in batch:
                is_direct = rec.data.get("t") == "d"
                if rec.errors:
                    staging.mark(conn, rec.id, "error", now)
                    tally.add("error")
                elif rec.skipped:
                    staging.mark(conn, rec.id, "skipped", now)
                    tally.add("skipped")
                elif not run.selection.includes_channel(rec.import_id, is_direct):
                    staging.mark(
                        conn, rec.id, "skipped", now, skip_reason="importer-record-not-selected"
                    )
                    tally.add("skipped")
                else:
                    try:
                        with conn.begin_nested():
                            outcome = convert_room(conn, rec.data, users, options, now)
                    except SQLAlchemyError as exc:
                        outcome = RoomOutcome(
                            "error",
                            errors=[
                                {
                                    "message": "importer-channel-insert-failed",
                                    "details": {"reason": type(exc).__name__},
                                }
                            ],
                        )
                    staging.mark(
                        conn,
                        rec.id,
                        outcome.state,
                        now,
                        errors=outcome.errors or None,
                        warnings=outcome.warnings or None,
                    )
                    tally.add(outcome.state)
            run.commit(conn, tally, kind="channels", channels_seq=batch[-1].seq)
        crash.point("convert.after_commit")


def unselected_room_ids(run: Run) -> set[str]:
    """Import ids of channel records the selection left out: their messages are skipped."""
    out: set[str] = set()
    with run.ctx.engine.connect() as conn:
        for rec in staging.records(conn, run.op.id, "channel"):
            if rec.skip_reason == "importer-record-not-selected" and rec.import_id:
                out.add(rec.import_id)
    return out
