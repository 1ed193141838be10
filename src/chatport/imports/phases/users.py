"""The users phase: staged user records to accounts, in batches with their checkpoint."""

from __future__ import annotations

from chatport.accounts.settings_registry import DEFAULT_USER_ROLES
from chatport.imports import registry as reg
from chatport.imports import staging
from chatport.imports.convert.users import UserOptions, convert_user, ensure_rocket_cat
from chatport.imports.phases.run import Run, Tally
from chatport.jobs import crash

BATCH = 50


def user_options(run: Run) -> UserOptions:
    setting = str(run.ctx.settings.get(DEFAULT_USER_ROLES) or "")
    roles = [r.strip() for r in setting.split(",") if r.strip()]
    is_api = run.op.importer_key == reg.API
    return UserOptions(
        namespace=run.namespace,
        skip_existing=is_api,
        bind_skipped=is_api,
        default_roles=roles or ["user"],
        grant_archive_roles=run.ctx.config.import_grant_archive_roles,
        bcrypt_rounds=run.ctx.config.bcrypt_rounds,
    )


def convert_users(run: Run) -> None:
    options = user_options(run)
    if run.op.importer_key == "slack":  # Slack's USLACKBOT and U00 map to rocket.cat
        with run.ctx.engine.begin() as conn:
            ensure_rocket_cat(conn, run.now())
    while True:
        run.lease.checkpoint()
        after = int(run.checkpoint.get("users_seq", 0))
        with run.ctx.engine.connect() as conn:
            batch = next(staging.iter_records(conn, run.op.id, "user", after, BATCH), [])
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
                elif not run.selection.users.includes(rec.import_id):
                    staging.mark(
                        conn, rec.id, "skipped", now, skip_reason="importer-record-not-selected"
                    )
                    tally.add("skipped")
                else:
                    outcome = convert_user(conn, rec.data, options, now)
                    staging.mark(
                        conn,
                        rec.id,
                        outcome.state,
                        now,
                        errors=outcome.errors or None,
                        warnings=outcome.warnings or None,
                        skip_reason=outcome.skip_reason,
                    )
                    tally.add(outcome.state)
            run.commit(conn, tally, kind="users", users_seq=batch[-1].seq)
        crash.point("convert.after_commit")
