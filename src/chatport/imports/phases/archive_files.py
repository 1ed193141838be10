"""Files a Slack export carries (``__uploads/<file id>/<name>``): stored with no network.

Why in finishing rather than in the message phase: the message phase streams batches through
the hot path untouched; its file messages come out hidden, with ``_importFile.archiveMember``
naming the member that holds the bytes. This step then reads each member through
``SafeZip`` (capped by the upload limit, never extracted) and attaches it with the very code a
pending-files download uses (importers.md §6.2), so the message is shown and never pending.
Idempotent: a message already downloaded is skipped, so a resumed finishing redoes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select, true

from chatport.archives import ArchiveError, SafeZip
from chatport.db import tables
from chatport.imports.convert.lookups import RoomLookup
from chatport.imports.pending_fetch import upload_cap
from chatport.imports.phases.run import Run, Tally
from chatport.workspace.attachments import StoredFile, attach_file
from chatport.workspace.upload_store import UploadStore

log = logging.getLogger("chatport.imports.archive_files")
M = tables.messages


@dataclass
class _Member:
    name: str
    ids: list[str] = field(default_factory=list)


def _targets(run: Run) -> dict[str, _Member]:
    """Hidden, not yet downloaded messages of this import's rooms whose bytes are archived."""
    with run.ctx.engine.connect() as conn:
        rooms = RoomLookup(run.namespace).load(conn)
        room_ids = sorted({ref.id for ref in rooms.by_import_id.values()})
        found: dict[str, _Member] = {}
        for start in range(0, len(room_ids), 200):
            rows = conn.execute(
                select(M.c.id, M.c.doc)
                .where(M.c.hidden == true(), M.c.rid.in_(room_ids[start : start + 200]))
                .order_by(M.c.ts, M.c.id)
            )
            for message_id, doc in rows:
                imported = doc.get("_importFile")
                if not isinstance(imported, dict) or imported.get("downloaded") is True:
                    continue
                member = imported.get("archiveMember")
                if not isinstance(member, str) or not member:
                    continue
                name = str(imported.get("name") or imported.get("id") or message_id)[:255]
                found.setdefault(member, _Member(name)).ids.append(message_id)
    return found


def attach_archive_files(run: Run) -> int:
    """Store and attach every archived file of this import; returns how many were attached."""
    with SafeZip(run.ctx.store.final_path(run.op.id)) as archive:
        if not any("__uploads/" in name for name in archive.names()):
            return 0  # most exports: no need to read every hidden message of the import
    targets = _targets(run)
    if not targets:
        return 0
    store = UploadStore(run.ctx.config.resolved_upload_dir())
    cap = upload_cap(run.ctx)
    attached = 0
    with SafeZip(run.ctx.store.final_path(run.op.id)) as archive:
        for member, wanted in targets.items():
            run.lease.checkpoint()
            if member not in archive:
                continue
            try:
                with store.writer() as blob, archive.open(member, max_bytes=cap) as stream:
                    while chunk := stream.read(65536):
                        blob.write(chunk)
                    sha = blob.commit()
            except ArchiveError as exc:  # over the cap or damaged: stays pending (by URL)
                log.warning("operation %s: archived file not stored: %s", run.op.id, exc)
                continue
            stored = StoredFile.describe(sha, blob.size, bytes(blob.head), wanted.name)
            with run.ctx.engine.begin() as conn:
                attach_file(conn, stored, wanted.ids, run.now())
                run.commit(conn, Tally())  # fenced by the lease, with the attachment
            attached += 1
    return attached
