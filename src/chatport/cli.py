"""The ``chatport`` command: serve, db upgrade, users create-admin."""

from __future__ import annotations

import logging
import sys

import typer

from chatport.config import Config
from chatport.gc_tuning import tune_for_imports

app = typer.Typer(help="chatport: a Rocket.Chat-compatible import server.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.")
users_app = typer.Typer(help="User administration.")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


files_app = typer.Typer(help="Stored import files (<data dir>/import-files).")
app.add_typer(files_app, name="import-files")


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(3000, help="Port to listen on."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Run background jobs here."),
) -> None:
    """Start the HTTP server (and, by default, the background worker)."""
    import uvicorn

    from chatport.app import create_app
    from chatport.bootstrap import build_context

    _logging()
    config = Config()
    ctx = build_context(config)
    logging.getLogger("chatport").info(
        "serving on http://%s:%d (database %s)", host, port, config.resolved_database_url()
    )
    # chatport reads X-Forwarded-For itself, only from CHATPORT_TRUSTED_PROXIES.
    uvicorn.run(
        create_app(ctx, worker=worker),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    from chatport.db.engine import make_engine
    from chatport.db.migrate import upgrade

    config = Config()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(make_engine(config.resolved_database_url()))
    typer.echo("database is up to date")


@users_app.command("create-admin")
def create_admin(
    username: str,
    email: str = typer.Option(..., "--email", help="The admin's email address."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password."),
) -> None:
    """Create an administrator account."""
    from chatport.bootstrap import build_context
    from chatport.errors import CodedError

    password = _read_password(password_stdin)
    ctx = build_context(Config(), create_admins=False)
    try:
        user = ctx.accounts.create_user(
            username=username,
            email=email,
            name=username,
            password=password,
            roles=("admin",),
            verified=True,
        )
    except CodedError as exc:
        typer.echo(f"error: {exc.reason}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created admin {user.username} ({user.id})")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        typer.echo("a password is required", err=True)
        raise typer.Exit(2)
    return password


@users_app.command("set-password")
def set_password(
    user: str = typer.Argument(..., help="Username, email or user id."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password."),
) -> None:
    """Set an account's password: imported users have none they know until you set one."""
    from chatport.bootstrap import build_context
    from chatport.errors import CodedError

    password = _read_password(password_stdin)
    ctx = build_context(Config(), create_admins=False)
    try:
        changed = ctx.accounts.set_password(user, password)
    except CodedError as exc:
        typer.echo(f"error: {exc.reason}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"password set for {changed.username} ({changed.id}); they can log in now")


@app.command("import")
def import_command(
    source: str = typer.Argument(..., help="A local file, or an http(s) URL."),
    importer: str = typer.Option(..., "--importer", help="slack, slack-users, csv, ..."),
    users: str = typer.Option(
        "all", "--users", help="all, none, or user ids, usernames or emails, comma-separated."
    ),
    channels: str = typer.Option(
        "all",
        "--channels",
        help="all, none, or channel names or ids, comma-separated (__directMessages__ for DMs).",
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Cancel an import in progress and start this one."
    ),
    as_json: bool = typer.Option(False, "--json", help="No progress bars; a JSON summary."),
) -> None:
    """Run an import from the command line against the configured database.

    Exit status: 0 done, 1 failed, 2 refused (no such file, unknown importer, channel or
    user), 3 another import is in progress (see --replace)."""
    from rich.console import Console

    from chatport.jobs import priority, processes

    priority.lower()  # an import yields the CPU to the server's readers on the same machine
    processes.warm_up()  # preparation runs in a child: have its forkserver ready by then

    from chatport.bootstrap import build_context
    from chatport.cli_import import run_import

    logging.basicConfig(level=logging.WARNING)
    console = Console(stderr=as_json)  # with --json, stdout carries the JSON only
    out = Console() if as_json else console
    ctx = build_context(Config(), announce=console.print)
    interactive = sys.stdin.isatty() and console.is_terminal and not as_json
    try:
        code = run_import(
            ctx,
            source,
            importer,
            users,
            channels,
            out if as_json else console,
            replace=replace,
            confirm=(lambda q: typer.confirm(q, default=False)) if interactive else None,
            as_json=as_json,
        )
    finally:
        ctx.runner.shutdown(wait=False)
    raise typer.Exit(code)


@files_app.command("list")
def files_list() -> None:
    """Every stored export, its size, and whether it may be removed."""
    from chatport.bootstrap import build_context
    from chatport.imports.file_retention import stored_exports

    ctx = build_context(Config(), create_admins=False)
    found = stored_exports(ctx)
    for stored in found:
        state = f"removable: {stored.removable}" if stored.removable else "in use"
        typer.echo(f"{stored.operation_id}  {stored.bytes:>14,} bytes  {state}")
    typer.echo(f"{len(found)} stored, {sum(s.bytes for s in found):,} bytes")


@files_app.command("prune")
def files_prune(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would go; remove nothing."),
) -> None:
    """Remove the stored exports of ended operations (and files no operation names)."""
    from chatport.bootstrap import build_context
    from chatport.imports.file_retention import prune

    ctx = build_context(Config(), create_admins=False)
    gone = prune(ctx, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for stored in gone:
        typer.echo(f"{verb} {stored.operation_id} ({stored.removable}, {stored.bytes:,} bytes)")
    typer.echo(f"{verb} {len(gone)} files, {sum(s.bytes for s in gone):,} bytes")


@app.command("cancel")
def cancel_command() -> None:
    """Cancel the import (or pending-files run) in progress; it stops at its next batch."""
    from chatport.bootstrap import build_context
    from chatport.cli_import import describe, running_operation
    from chatport.imports.service import ImportService

    ctx = build_context(Config(), create_admins=False)
    running = running_operation(ctx)
    if running is None:
        typer.echo("no import is in progress")
        raise typer.Exit(0)
    ImportService(ctx).clear()
    typer.echo(f"cancelled: {describe(running)}")


@app.command("status")
def status_command(
    as_json: bool = typer.Option(False, "--json", help="The operation record as JSON."),
) -> None:
    """The current import operation: its step and counts."""
    import json

    from chatport.bootstrap import build_context
    from chatport.cli_import import describe
    from chatport.imports import operations as ops
    from chatport.imports import steps

    ctx = build_context(Config(), create_admins=False)
    with ctx.engine.connect() as conn:
        op = ops.current(conn)
    if as_json:
        typer.echo(json.dumps(op.record() if op else None, default=str))
        return
    if op is None:
        typer.echo("no import has run yet")
        return
    state = steps.state_of(op.status, op.valid)
    if not op.valid and op.status not in steps.FINAL:
        state = "cancelled"
    typer.echo(f"{state}: {describe(op)}")
    if op.doc.get("failureReason"):
        typer.echo(f"  {op.doc['failureReason']}: {op.doc.get('failureMessage', '')}")


@app.command("inspect")
def inspect_command(
    path: str = typer.Argument(..., help="An export file."),
    as_json: bool = typer.Option(False, "--json", help="The summary as JSON."),
) -> None:
    """What an export holds (its format, folders, users and channels), without importing."""
    import json

    from chatport.archives import ArchiveError
    from chatport.imports.inspect import inspect_file

    try:
        found = inspect_file(path)
    except FileNotFoundError:
        typer.echo(f"no such file: {path}", err=True)
        raise typer.Exit(2) from None
    except (OSError, ArchiveError) as exc:
        typer.echo(f"cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(found))
        return
    typer.echo(f"{found['file']}: {found['format']}, {found['bytes']:,} bytes")
    if found["importer"]:
        typer.echo(f"  import it with: chatport import {path} --importer {found['importer']}")
    for folder in found.get("folders", []):
        typer.echo(f"  {folder['name']}: {folder['files']} files")
    if "users" in found:
        typer.echo(f"  users: {found['users']}")
    for room in found.get("channels", []):
        label = room["name"] or room["id"]
        typer.echo(f"  {room['type']:>8} {label} ({room['id']}), {room['members']} members")
    if "rows" in found:
        typer.echo(f"  rows: {found['rows']}")


def main() -> None:
    tune_for_imports()
    app()
