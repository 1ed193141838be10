"""The users phase: staged user records to accounts, in batches with their checkpoint."""

from __future__ import annotations

from sqlalchemy import Connection

from chatport.accounts.settings_registry import DEFAULT_USER_ROLES
from chatport.imports import registry as reg
from chatport.imports.convert.caps import caps_from
from chatport.imports.convert.users import Lookups, UserOptions, convert_user, ensure_rocket_cat
from chatport.imports.data_avatars import DataAvatars
from chatport.imports.pending_fetch import upload_cap
from chatport.imports.phases.run import Run
from chatport.imports.phases.staged import convert_staged
from chatport.imports.staging import StagedRecord
from chatport.workspace.upload_store import UploadStore

# Users per transaction: its lookups are loaded at once, so a bigger batch means fewer
# queries and fewer commits (each an fsync on SQLite).
BATCH = 200
# Importers whose avatars are data URIs, applied as the users are created (importers §5.2):
# there is nothing to fetch. Other importers' avatar URLs wait for pending-avatars.
APPLIES_DATA_AVATARS = frozenset({"hipchatenterprise"})


def user_options(run: Run) -> UserOptions:
    setting = str(run.ctx.settings.get(DEFAULT_USER_ROLES) or "")
    roles = [r.strip() for r in setting.split(",") if r.strip()]
    is_api = run.op.importer_key == reg.API
    data_avatars = None
    if run.op.importer_key in APPLIES_DATA_AVATARS:
        store = UploadStore(run.ctx.config.resolved_upload_dir())
        data_avatars = DataAvatars(store, upload_cap(run.ctx)).apply
    return UserOptions(
        namespace=run.namespace,
        skip_existing=is_api,
        bind_skipped=is_api,
        default_roles=roles or ["user"],
        grant_archive_roles=run.ctx.config.import_grant_archive_roles,
        bcrypt_rounds=run.ctx.config.bcrypt_rounds,
        apply_avatar=data_avatars,
        caps=caps_from(run.ctx.config),
    )


def convert_users(run: Run) -> None:
    options = user_options(run)
    # Slack's USLACKBOT and U00, and HipChat's notifications, are rocket.cat's.
    if run.op.importer_key in ("slack", "hipchatenterprise"):
        with run.ctx.engine.begin() as conn:
            ensure_rocket_cat(conn, run.now())
    batch: dict[str, Lookups] = {}

    def begin_batch(conn: Connection, records: list[StagedRecord]) -> None:
        batch["lookups"] = Lookups(conn, options.namespace).preload([r.data for r in records])

    convert_staged(
        run,
        "user",
        "users",
        BATCH,
        lambda rec: run.selection.users.includes(rec.import_id),
        lambda conn, rec, now: convert_user(conn, rec.data, options, now, batch["lookups"]),
        begin_batch,
    )
