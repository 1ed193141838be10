"""``chatport import``: the same pipeline as the REST API, from a terminal, with progress.

It creates a new import operation (replacing any current one, as the API does), loads the
file (a local path, or an http(s) URL fetched under the SSRF rules), prepares it, selects
what the options say, converts it, and prints a summary. Exit status 0 means importer_done.
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from chatport.context import Context
from chatport.db import tables
from chatport.errors import ChatportError, CodedError, PlainError
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.prepare import start_preparation
from chatport.imports.service import ImportService, load_local_file

PHASES = {
    steps.IMPORTING_USERS: "users",
    steps.IMPORTING_CHANNELS: "channels",
    steps.IMPORTING_MESSAGES: "messages",
    steps.FINISHING: "finishing",
}


def _choice(value: str) -> dict[str, Any]:
    if value == "all":
        return {"all": True}
    if value in ("", "none"):
        return {"all": False, "list": []}
    return {"all": False, "list": [v.strip() for v in value.split(",") if v.strip()]}


def _op(ctx: Context, op_id: str) -> ops.Operation:
    with ctx.engine.connect() as conn:
        op = ops.get(conn, op_id)
    assert op is not None
    return op


def _wait(
    ctx: Context, op_id: str, until: frozenset[str], progress: Progress, task: Any
) -> ops.Operation:
    while True:
        op = _op(ctx, op_id)
        count = op.count
        done = count.get("completed", 0) + count.get("error", 0) + count.get("skipped", 0)
        label = PHASES.get(op.status, op.status.removeprefix("importer_").replace("_", " "))
        progress.update(task, description=label, completed=done, total=count.get("total") or None)
        if op.status in until or op.status in steps.FINAL:
            return op
        time.sleep(0.2)


def run_import(
    ctx: Context, source: str, key: str, users: str, channels: str, console: Console
) -> int:
    admin = _starting_admin(ctx)
    service = ImportService(ctx)
    started = time.monotonic()
    try:
        if source.lower().startswith(("http://", "https://")):
            service.download_public_file(admin, source, key)
            with ctx.engine.connect() as conn:
                current = ops.current(conn)
            assert current is not None
            op_id = current.id
        else:
            op_id = load_local_file(ctx, admin, source, key)
    except (CodedError, PlainError) as exc:
        console.print(f"[red]refused:[/red] {getattr(exc, 'reason', None) or exc}")
        return 2
    columns = (
        TextColumn("{task.description:>12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # The bars redraw a few times a second, not Rich's default ten: the import itself needs the
    # CPU (its writer shares this process), and a log file gains nothing from more redraws.
    refresh = 4 if console.is_terminal else 1
    with Progress(
        *columns, console=console, transient=False, refresh_per_second=refresh
    ) as progress:
        task = progress.add_task("loading", total=None)
        op = _wait(ctx, op_id, frozenset({steps.FILE_LOADED}), progress, task)
        if op.status == steps.FILE_LOADED:
            start_preparation(ctx, op_id)
            op = _wait(ctx, op_id, frozenset({steps.USER_SELECTION}), progress, task)
        if op.status == steps.USER_SELECTION:
            try:
                service.start_import(
                    admin, {"users": _choice(users), "channels": _choice(channels)}
                )
            except ChatportError as exc:
                console.print(f"[red]cannot start:[/red] {exc}")
                return 1
            op = _wait(ctx, op_id, frozenset({steps.DONE}), progress, task)
    _summary(ctx, op, time.monotonic() - started, console)
    return 0 if op.status == steps.DONE else 1


def _starting_admin(ctx: Context) -> str:
    with ctx.engine.connect() as conn:
        for user_id, roles in conn.execute(select(tables.users.c.id, tables.users.c.roles)):
            if "admin" in roles:
                return str(user_id)
    raise SystemExit("no admin account exists: create one with `chatport users create-admin`")


def _summary(ctx: Context, op: ops.Operation, seconds: float, console: Console) -> None:
    table = Table(title=f"import {op.id}: {op.status}")
    for column in ("kind", "imported", "skipped", "failed"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    tally = (op.checkpoint or {}).get("tally") or {}
    for kind in ("users", "channels", "messages"):
        row = tally.get(kind) or {}
        table.add_row(
            kind, str(row.get("completed", 0)), str(row.get("skipped", 0)), str(row.get("error", 0))
        )
    count = op.count
    table.add_row(
        "total",
        str(count.get("completed", 0)),
        str(count.get("skipped", 0)),
        str(count.get("error", 0)),
        style="bold",
    )
    console.print(table)
    messages = tally.get("messages") or {}
    handled = sum(messages.values()) if messages else 0
    if seconds > 0 and handled:
        console.print(f"{handled} message records in {seconds:.1f} s ({handled / seconds:,.0f}/s)")
    if op.doc.get("failureReason"):
        console.print(
            f"[red]failed:[/red] {op.doc['failureReason']} {op.doc.get('failureMessage', '')}"
        )
    with ctx.engine.connect() as conn:
        S = tables.import_staging
        rows = conn.execute(
            select(S.c.data_type, S.c.import_id, S.c.errors, S.c.source)
            .where(S.c.operation_id == op.id, S.c.errors.is_not(None))
            .order_by(S.c.seq)
            .limit(10)
        ).fetchall()
    for data_type, import_id, errors, source in rows:
        where = (source or {}).get("entry", "")
        codes = ", ".join(e.get("message", "") for e in errors or [])
        console.print(f"  {data_type} {import_id or ''} {where}: {codes}")
