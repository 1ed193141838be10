"""The channels phase: staged channel records to rooms and subscriptions."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from chatport.accounts import repository as accounts_repo
from chatport.accounts.settings_registry import DM_MAX_USERS
from chatport.imports import staging
from chatport.imports.convert.caps import caps_from
from chatport.imports.convert.lookups import ROCKET_CAT
from chatport.imports.convert.rooms import RoomOptions, RoomOutcome, convert_room
from chatport.imports.phases.run import Run, user_lookup
from chatport.imports.phases.staged import convert_staged
from chatport.imports.staging import StagedRecord
from chatport.workspace import rooms as rooms_repo
from chatport.workspace import subscriptions as subs
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
            caps=caps_from(run.ctx.config),
        )

    def convert(conn: Connection, rec: StagedRecord, now: int) -> RoomOutcome:
        try:
            with conn.begin_nested():
                return convert_room(conn, rec.data, users, options, now)
        except SQLAlchemyError as exc:
            reason = {
                "message": "importer-channel-insert-failed",
                "details": {"reason": type(exc).__name__},
            }
            return RoomOutcome("error", errors=[reason])

    convert_staged(
        run,
        "channel",
        "channels",
        BATCH,
        lambda rec: run.selection.includes_channel(rec.import_id, rec.data.get("t") == "d"),
        convert,
    )
    join_default_rooms(run)


JOIN_BATCH = 1000


def join_default_rooms(run: Run) -> None:
    """Every user of this import's namespace joins every default room (importers §1.7, §1.8):
    the members of the channel merged into ``GENERAL`` are its members, and new users are in
    #general as on any Rocket.Chat server. Idempotent, so a resumed run simply repeats it."""
    with run.ctx.engine.begin() as conn:
        defaults = rooms_repo.default_rooms(conn)
        if not defaults:
            return
        members = list(user_lookup(run, conn).by_import_id.values())
        members = [m for m in {m.id: m for m in members}.values() if m.id != ROCKET_CAT]
        now = run.now()
        for room in defaults:
            for start in range(0, len(members), JOIN_BATCH):
                subs.add_members(conn, room, members[start : start + JOIN_BATCH], now=now)


def unselected_room_ids(run: Run) -> set[str]:
    """Import ids of channel records the selection left out: their messages are skipped."""
    out: set[str] = set()
    with run.ctx.engine.connect() as conn:
        for rec in staging.records(conn, run.op.id, "channel"):
            if rec.skip_reason == "importer-record-not-selected" and rec.import_id:
                out.add(rec.import_id)
    return out
