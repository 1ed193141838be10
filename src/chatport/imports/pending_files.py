"""Pending files (importers.md §6.1): the items, and what success and failure write.

Items are hidden messages whose ``_importFile`` has a ``downloadUrl`` and is neither
downloaded, already attached (``rocketChatUrl``) nor external; they are found through the
partial index on hidden messages, not by scanning every message document. Messages sharing an
``_importFile.id`` form one item, fetched once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, select, true

from chatport.clock import iso_ms
from chatport.context import Context
from chatport.db import tables
from chatport.imports.pending_fetch import fetch_to_store
from chatport.imports.pending_items import Item, NewItem
from chatport.workspace.attachments import (
    StoredFile,
    attach_file,
    mark_file_error,
    mark_file_locked,
)
from chatport.workspace.upload_store import UploadStore

M = tables.messages


@dataclass(frozen=True)
class Fetched:
    sha256: str
    size: int
    head: bytes
    origin: str = "url"


def is_pending_file(doc: dict[str, Any]) -> bool:
    imported = doc.get("_importFile")
    if not isinstance(imported, dict):
        return False
    url = imported.get("downloadUrl")
    return (
        isinstance(url, str)
        and bool(url)
        and not imported.get("rocketChatUrl")
        and imported.get("downloaded") is not True
        and imported.get("external") is not True
    )


def candidates_query() -> Select[Any]:
    """Hidden messages, through the partial index ``ix_messages_hidden`` (tested by plan)."""
    return select(M.c.id, M.c.doc).where(M.c.hidden == true()).order_by(M.c.ts, M.c.id)


def collect_files(conn: Connection) -> list[NewItem]:
    """One item per distinct file id (or message, without one), in message order."""
    items: dict[str, NewItem] = {}
    rows = conn.execute(candidates_query())
    for message_id, doc in rows:
        if not is_pending_file(doc):
            continue
        imported = doc["_importFile"]
        file_id = imported.get("id")
        key = file_id if isinstance(file_id, str) and file_id else f"message:{message_id}"
        if key in items:
            items[key].targets["ids"].append(message_id)
            continue
        name = imported.get("name") or file_id or message_id
        items[key] = NewItem(
            key, imported["downloadUrl"], {"ids": [message_id], "name": str(name)[:255]}
        )
    return list(items.values())


class FileHandler:
    """What the pending-downloads run does for a file item."""

    kind = "file"

    def __init__(self, ctx: Context, store: UploadStore) -> None:
        self.ctx = ctx
        self.store = store

    def collect(self, conn: Connection) -> list[NewItem]:
        return collect_files(conn)

    def on_claim(self, conn: Connection, item: Item, locked_until: int, now: int) -> None:
        mark_file_locked(conn, item.ids, locked_until, now)

    def fetch(self, item: Item, tick: Callable[[], None]) -> Fetched:
        blob = fetch_to_store(self.ctx, item.url, item.name, self.store, tick)
        assert blob.sha256 is not None
        return Fetched(blob.sha256, blob.size, bytes(blob.head))

    def succeed(self, conn: Connection, item: Item, fetched: Fetched, now: int) -> None:
        stored = StoredFile.describe(fetched.sha256, fetched.size, fetched.head, item.name)
        attach_file(conn, stored, item.ids, now)

    def fail(self, conn: Connection, item: Item, code: str, now: int) -> None:
        mark_file_error(conn, item.ids, {"message": code, "at": iso_ms(now)}, now)
