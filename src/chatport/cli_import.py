"""``chatport import``: the same pipeline as the REST API, from a terminal, with progress.

It creates a new import operation (replacing any current one, as the API does), loads the
file (a local path, or an http(s) URL fetched under the SSRF rules), prepares it, selects
what the options say, converts it, and prints a summary. Exit status 0 means importer_done.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from chatport.clock import parse_iso_ms
from chatport.context import Context
from chatport.db import tables
from chatport.errors import ChatportError, CodedError, PlainError
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.file_retention import apply_retention
from chatport.imports.local_upload import load_local_file
from chatport.imports.prepare import start_preparation
from chatport.imports.service import ImportService

PHASES = {
    steps.IMPORTING_USERS: "users",
    steps.IMPORTING_CHANNELS: "channels",
    steps.IMPORTING_MESSAGES: "messages",
    steps.FINISHING: "finishing",
}


class Refused(Exception):
    """Why the command will not go on; printed as it is, exit status 2."""


def _choice(value: str, known: dict[str, str], kind: str) -> dict[str, Any]:
    """``all``, ``none`` or a comma-separated list of ids or names (``known``: every name
    and id the archive has, to its import id). An unknown entry refuses the whole list."""
    if value == "all":
        return {"all": True}
    if value in ("", "none"):
        return {"all": False, "list": []}
    wanted = [v.strip().lstrip("#@") for v in value.split(",") if v.strip()]
    unknown = [w for w in wanted if w not in known]
    if unknown:
        named = {i for name, i in known.items() if name != i}
        pairs = {f"{name} ({i})" for name, i in known.items() if name != i and "@" not in name}
        pairs |= {i for i in known.values() if i not in named}
        listed = ", ".join(sorted(pairs)) or "none"
        raise Refused(f"unknown {kind}: {', '.join(unknown)}. The archive has: {listed}")
    return {"all": False, "list": sorted({known[w] for w in wanted})}


def _known(ctx: Context, op_id: str, data_type: str) -> dict[str, str]:
    """Names (and usernames, emails) and ids of staged records, to their import ids."""
    from chatport.imports import staging
    from chatport.imports.selection import DIRECT_MESSAGES

    out: dict[str, str] = {}
    with ctx.engine.connect() as conn:
        for rec in staging.records(conn, op_id, data_type):
            if rec.errors or not rec.import_id:
                continue
            data = rec.data
            if data_type == "channel" and data.get("t") == "d":
                out[DIRECT_MESSAGES] = DIRECT_MESSAGES
                continue
            out[rec.import_id] = rec.import_id
            for key in ("name", "username"):
                if isinstance(data.get(key), str) and data[key]:
                    out.setdefault(data[key], rec.import_id)
            for email in data.get("emails") or []:
                if isinstance(email, str):
                    out.setdefault(email, rec.import_id)
    return out


def running_operation(ctx: Context) -> ops.Operation | None:
    """The current operation when it is still in progress (not done, failed or cancelled)."""
    with ctx.engine.connect() as conn:
        op = ops.current(conn)
    if op is None or steps.state_of(op.status, op.valid) in ("done", "error", "canceled"):
        return None
    return op


def describe(op: ops.Operation) -> str:
    count = op.count
    done = count.get("completed", 0) + count.get("error", 0) + count.get("skipped", 0)
    step = op.status.removeprefix("importer_").replace("_", " ")
    progress = f", {done:,} of {count['total']:,} records" if count.get("total") else ""
    return f"{op.doc.get('file') or op.importer_key} ({op.importer_key}): {step}{progress}"


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
    ctx: Context,
    source: str,
    key: str,
    users: str,
    channels: str,
    console: Console,
    *,
    replace: bool = False,
    confirm: Callable[[str], bool] | None = None,
    as_json: bool = False,
) -> int:
    """The import; the exit status: 0 done, 1 failed, 2 refused input, 3 another import runs.

    ``confirm`` asks the person at the terminal (None: nobody to ask, so ``--replace`` is
    the only way to replace a running import)."""
    entry = ctx.registry.for_file_route(key)
    if entry is None:
        keys = ", ".join(e.key for e in ctx.registry.visible())
        console.print(f"[red]unknown importer '{key}'[/red]: use one of {keys}")
        return 2
    remote = source.lower().startswith(("http://", "https://"))
    if not remote and not os.path.isfile(source):
        console.print(f"[red]no such file:[/red] {source}")
        return 2
    running = running_operation(ctx)
    if running is not None and not replace:
        question = f"An import is in progress: {describe(running)}. Cancel it and start this one?"
        if confirm is None or not confirm(question):
            console.print(
                f"[yellow]not started:[/yellow] an import is in progress: {describe(running)}. "
                "Pass --replace to cancel it and start this one, or `chatport cancel`."
            )
            return 3
    admin = _starting_admin(ctx)
    service = ImportService(ctx)
    try:
        if remote:
            service.download_public_file(admin, source, key)
            with ctx.engine.connect() as conn:
                current = ops.current(conn)
            assert current is not None
            op_id = current.id
        else:
            op_id = load_local_file(ctx, admin, source, key)
    except (CodedError, PlainError) as exc:
        with ctx.engine.connect() as conn:
            failed = ops.current(conn)
        words = failed.doc.get("failureMessage") if failed is not None else None
        console.print(
            f"[red]refused:[/red] {getattr(exc, 'reason', None) or exc}"
            + (f": {words}" if words else "")
        )
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
        *columns,
        console=console,
        transient=False,
        refresh_per_second=refresh,
        disable=as_json,
    ) as progress:
        task = progress.add_task("loading", total=None)
        op = _wait(ctx, op_id, frozenset({steps.FILE_LOADED}), progress, task)
        if op.status == steps.FILE_LOADED:
            start_preparation(ctx, op_id)
            op = _wait(ctx, op_id, frozenset({steps.USER_SELECTION}), progress, task)
        if op.status == steps.USER_SELECTION:
            try:
                selection = {
                    "users": _choice(users, _known(ctx, op_id, "user"), "users"),
                    "channels": _choice(channels, _known(ctx, op_id, "channel"), "channels"),
                }
            except Refused as exc:
                progress.stop()
                service.clear()  # nothing was imported: the prepared operation is cancelled
                console.print(f"[red]refused:[/red] {exc}")
                return 2
            try:
                service.start_import(admin, selection)
            except ChatportError as exc:
                console.print(f"[red]cannot start:[/red] {exc}")
                return 1
            op = _wait(ctx, op_id, frozenset({steps.DONE}), progress, task)
    apply_retention(ctx)  # the import has ended: its stored file goes unless kept
    if as_json:
        console.print_json(data=summary_json(ctx, op))
    else:
        _summary(ctx, op, console)
    return 0 if op.status == steps.DONE else 1


def summary_json(ctx: Context, op: ops.Operation) -> dict[str, Any]:
    """What ``--json`` prints: the operation, its counts, why it failed, its first errors."""
    out: dict[str, Any] = {
        "operation": op.id,
        "status": op.status,
        "count": op.count,
        "tally": (op.checkpoint or {}).get("tally") or {},
    }
    for key in ("failureReason", "failureMessage"):
        if op.doc.get(key):
            out[key] = op.doc[key]
    from chatport.imports.record_errors import current_errors

    errors = current_errors(ctx, 0, 100)
    if errors.get("operation") == op.id:
        out["errors"] = errors["errors"]
        out["errorsTotal"] = errors["total"]
    return out


def _starting_admin(ctx: Context) -> str:
    with ctx.engine.connect() as conn:
        for user_id, roles in conn.execute(select(tables.users.c.id, tables.users.c.roles)):
            if "admin" in roles:
                return str(user_id)
    raise SystemExit("no admin account exists: create one with `chatport users create-admin`")


def elapsed_seconds(op: ops.Operation) -> float | None:
    """From ``importStartedAt`` to the operation's last update: the admin page's definition
    (common.js ``elapsedMs``), so the CLI and the page give one figure."""
    started = op.doc.get("importStartedAt")
    if not isinstance(started, str):
        return None
    return max(0.0, (op.updated_at - parse_iso_ms(started)) / 1000)


def _summary(ctx: Context, op: ops.Operation, console: Console) -> None:
    """The counts by the definitions every page uses: ``in archive`` is the prepared count
    (``count.users`` …), the other columns each record once."""
    table = Table(title=f"import {op.id}: {op.status}")
    for column in ("kind", "in archive", "imported", "skipped", "failed"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    tally = (op.checkpoint or {}).get("tally") or {}
    count = op.count
    for kind in ("users", "channels", "messages"):
        row = tally.get(kind) or {}
        table.add_row(
            kind,
            f"{count.get(kind, 0):,}",
            f"{row.get('completed', 0):,}",
            f"{row.get('skipped', 0):,}",
            f"{row.get('error', 0):,}",
        )
    table.add_row(
        "total",
        f"{count.get('total', 0):,}",
        f"{count.get('completed', 0):,}",
        f"{count.get('skipped', 0):,}",
        f"{count.get('error', 0):,}",
        style="bold",
    )
    console.print(table)
    seconds = elapsed_seconds(op)
    done = count.get("completed", 0) + count.get("skipped", 0) + count.get("error", 0)
    if seconds:
        console.print(f"Elapsed: {seconds:.1f} s. Rate: {done / seconds:,.0f} records/s.")
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
