"""How long a stored export stays in ``<data dir>/import-files`` (``import_file_retention``).

``until-done`` (the default): a stored file goes once its operation has ended (done, failed,
cancelled, or replaced by a newer operation) and so can no longer be resumed; a file no
operation names (left by a crash) goes too. ``keep``: files stay until ``chatport import-files
prune``. The sweep applies the setting every ``sweep_interval_seconds``; ``chatport import``
applies it when its import ends. Without this, an hour of trying kept 81 MB of failed and
cancelled exports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from chatport.context import Context
from chatport.db import tables
from chatport.imports import steps

log = logging.getLogger("chatport.imports.files")

UNTIL_DONE = "until-done"
KEEP = "keep"
RETENTIONS = (UNTIL_DONE, KEEP)


@dataclass(frozen=True)
class StoredExport:
    operation_id: str
    paths: tuple[Path, ...]
    bytes: int
    #: None while the file may still be needed; else why it may go.
    removable: str | None


def stored_exports(ctx: Context) -> list[StoredExport]:
    """Every stored export, with whether (and why) it may be removed now."""
    by_op = ctx.store.stored()
    if not by_op:
        return []
    ops_table = tables.import_operations
    states: dict[str, tuple[str, bool]] = {}
    ids = sorted(by_op)
    with ctx.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for op_id, status, valid in conn.execute(
                select(ops_table.c.id, ops_table.c.status, ops_table.c.valid).where(
                    ops_table.c.id.in_(chunk)
                )
            ):
                states[op_id] = (status, bool(valid))
    out = []
    for op_id, paths in by_op.items():
        size = sum(p.stat().st_size for p in paths if p.exists())
        out.append(StoredExport(op_id, tuple(paths), size, _why(states.get(op_id))))
    return out


def _why(state: tuple[str, bool] | None) -> str | None:
    if state is None:
        return "no operation names it"
    status, valid = state
    if status in steps.FINAL:
        return status.removeprefix("importer_").replace("_", " ")
    if not valid:
        return "replaced by a newer operation"
    return None


def prune(ctx: Context, *, dry_run: bool = False) -> list[StoredExport]:
    """Remove every stored export that may go; returns them."""
    gone = [s for s in stored_exports(ctx) if s.removable is not None]
    if not dry_run:
        for stored in gone:
            ctx.store.discard(stored.operation_id)
            for path in stored.paths:  # anything else the id named
                path.unlink(missing_ok=True)
            log.info(
                "import file of operation %s removed (%s, %d bytes)",
                stored.operation_id,
                stored.removable,
                stored.bytes,
            )
    return gone


def apply_retention(ctx: Context) -> None:
    """What the setting says, now (the sweep's and ``chatport import``'s step)."""
    if ctx.config.import_file_retention == UNTIL_DONE:
        prune(ctx)
