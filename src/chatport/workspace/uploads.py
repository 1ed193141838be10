"""Uploads (``rocketchat_uploads``): the file records that imported file messages point to.

Pending-files downloads create them (importers.md §6, §1.13).  Written by ``_id`` so a retried
download updates its record instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from chatport import ids
from chatport.clock import iso_ms
from chatport.db import tables
from chatport.db.dialect import insert
from chatport.workspace.documents import UPLOAD_INSTANTS, compact, render_instants, store_instants

U = tables.uploads


@dataclass(frozen=True)
class UploadRow:
    id: str
    rid: str
    user_id: str | None
    updated_at: int
    doc: dict[str, Any]
    blob_sha256: str | None = None

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": self.id}
        out.update(render_instants(self.doc, UPLOAD_INSTANTS))
        out["_updatedAt"] = iso_ms(self.updated_at)
        return out


def row(r: Any) -> UploadRow:
    return UploadRow(
        id=r.id,
        rid=r.rid,
        user_id=r.user_id,
        updated_at=r.updated_at,
        doc=dict(r.doc),
        blob_sha256=r.blob_sha256,
    )


def save_upload(
    conn: Connection, doc: Mapping[str, Any], *, now: int, blob_sha256: str | None = None
) -> UploadRow:
    """Insert or replace an upload record; ``_id`` defaults to a random id; ``rid`` required.

    ``blob_sha256`` names the bytes in the upload store (kept out of the document)."""
    rid = doc.get("rid")
    if not isinstance(rid, str) or not rid:
        raise ValueError("an upload needs its room id (rid)")
    upload_id = str(doc.get("_id") or ids.random_id())
    body = compact(
        store_instants(
            {k: v for k, v in doc.items() if k not in ("_id", "_updatedAt")}, UPLOAD_INSTANTS
        )
    )
    user_id = body.get("userId")
    values = {
        "id": upload_id,
        "rid": rid,
        "user_id": user_id if isinstance(user_id, str) else None,
        "updated_at": now,
        "doc": body,
        "blob_sha256": blob_sha256,
    }
    stmt = insert(conn, U).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "rid": values["rid"],
            "user_id": values["user_id"],
            "updated_at": now,
            "doc": body,
            "blob_sha256": blob_sha256,
        },
    )
    conn.execute(stmt)
    result = get_upload(conn, upload_id)
    assert result is not None
    return result


def get_upload(conn: Connection, upload_id: str) -> UploadRow | None:
    r = conn.execute(select(U).where(U.c.id == upload_id)).first()
    return row(r) if r else None


def room_uploads(conn: Connection, rid: str) -> list[UploadRow]:
    return [row(r) for r in conn.execute(select(U).where(U.c.rid == rid).order_by(U.c.id))]
