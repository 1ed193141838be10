"""Building a process: database, migrations, seeds, admins, and the background workers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from chatport.accounts.service import Accounts
from chatport.accounts.settings_store import SettingsStore
from chatport.clock import Clock, SystemClock
from chatport.config import Config
from chatport.context import Context, Resolver
from chatport.db.engine import make_engine
from chatport.db.migrate import upgrade
from chatport.imports.filestore import FileStore
from chatport.imports.lease_owner import new_owner
from chatport.imports.preparers import available_keys
from chatport.imports.registry import Registry
from chatport.jobs import crash
from chatport.jobs.runner import JobRunner
from chatport.workspace.rooms import ensure_general

log = logging.getLogger("chatport")


def build_context(
    config: Config,
    *,
    clock: Clock | None = None,
    resolver: Resolver | None = None,
    ca_certs: str | None = None,
    announce: Callable[[str], None] = print,
    create_admins: bool = True,
) -> Context:
    crash.warn_if_armed()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(
        config.resolved_database_url(), sqlite_synchronous=config.sqlite_synchronous
    )
    upgrade(engine)
    the_clock = clock or SystemClock()
    settings = SettingsStore(engine, the_clock)
    settings.apply_environment()
    accounts = Accounts(engine, the_clock, config)
    accounts.seed()
    with engine.begin() as conn:
        ensure_general(conn, the_clock.now_ms())
    store = FileStore(config.resolved_import_store())
    store.ensure()
    ctx = Context(
        config=config,
        engine=engine,
        clock=the_clock,
        settings=settings,
        accounts=accounts,
        store=store,
        registry=Registry(available_keys()),
        runner=JobRunner(),
        worker_id=new_owner(),
        resolver=resolver,
        ca_certs=ca_certs,
    )
    if create_admins:
        ensure_admins(ctx, announce)
    return ctx


def ensure_admins(ctx: Context, announce: Callable[[str], None]) -> None:
    """TEST_MODE's test admin; else ADMIN_* or a generated first admin when none exists."""
    config = ctx.config
    if config.test_mode:
        ctx.accounts.recreate_test_admin()
    if ctx.accounts.has_admin() and not config.test_mode:
        return
    if config.test_mode and not config.admin_pass:
        return
    username = config.admin_username or "admin"
    if ctx.accounts.find(username=username):
        return
    password = config.admin_pass or secrets.token_urlsafe(12)
    ctx.accounts.create_user(
        username=username,
        email=config.admin_email or f"{username}@chatport.invalid",
        name="Administrator",
        password=password,
        roles=("admin",),
        verified=True,
    )
    if not config.admin_pass:
        announce(
            f"Created the first admin. Username: {username}  Password: {password}\n"
            "(shown once; log in with POST /api/v1/login)"
        )


def start_background(ctx: Context) -> None:
    from chatport.imports.sweep import sweep

    sweep(ctx)
    ctx.runner.every(ctx.config.sweep_interval_seconds, lambda: sweep(ctx), "sweep")


def stop_background(ctx: Context) -> None:
    ctx.runner.shutdown(wait=False)
    ctx.engine.dispose()
