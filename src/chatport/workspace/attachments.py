"""A stored file becomes an upload and the attachment of every message that shares it.

One function serves both ways a file arrives (a pending-files download and a Slack export's
``__uploads/`` member), so the resulting documents cannot differ (importers.md §6.1, §6.2).
It runs inside the caller's transaction, the one that also marks the item finished, so the
message is shown exactly when its upload exists.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from chatport import ids
from chatport.workspace import message_upkeep as upkeep
from chatport.workspace import messages as messages_repo
from chatport.workspace import uploads
from chatport.workspace.media import image_dimensions, sniff


@dataclass(frozen=True)
class StoredFile:
    """Bytes already in the upload store, described for the documents."""

    sha256: str
    size: int
    type: str
    name: str
    dimensions: tuple[int, int] | None = None

    @classmethod
    def describe(cls, sha256: str, size: int, head: bytes, name: str) -> StoredFile:
        kind = sniff(head, name)
        return cls(sha256, size, kind, name, image_dimensions(head, kind))


def upload_url(upload_id: str, name: str) -> str:
    return f"/file-upload/{upload_id}/{urllib.parse.quote(name, safe='')}"


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base.strip(".") else ""


def attachment_for(stored: StoredFile, url: str) -> dict[str, Any]:
    """Rocket.Chat's file attachment, with the media fields its type calls for."""
    out: dict[str, Any] = {
        "title": stored.name,
        "title_link": url,
        "title_link_download": True,
        "type": "file",
    }
    major = stored.type.split("/", 1)[0]
    if major in ("image", "audio", "video"):
        out[f"{major}_url"] = url
        out[f"{major}_type"] = stored.type
        out[f"{major}_size"] = stored.size
    if major == "image" and stored.dimensions:
        out["image_dimensions"] = {"width": stored.dimensions[0], "height": stored.dimensions[1]}
    return out


def _save_upload(
    conn: Connection, stored: StoredFile, rid: str, user_id: str, now: int
) -> tuple[str, str]:
    upload_id = ids.random_id()
    url = upload_url(upload_id, stored.name)
    uploads.save_upload(
        conn,
        {
            "_id": upload_id,
            "name": stored.name,
            "size": stored.size,
            "type": stored.type,
            "extension": _extension(stored.name),
            "rid": rid,
            "userId": user_id,
            "complete": True,
            "uploading": False,
            "progress": 1,
            "uploadedAt": now,
            "url": url,
        },
        now=now,
        blob_sha256=stored.sha256,
    )
    return upload_id, url


def attach_file(
    conn: Connection, stored: StoredFile, message_ids: Sequence[str], now: int
) -> list[str]:
    """Attach ``stored`` to each message not yet downloaded; returns the rooms touched.

    One upload per room (a file shared into two channels stays readable by each channel's
    members), all pointing at the same blob.
    """
    found = messages_repo.get_messages(conn, message_ids)
    per_room: dict[str, tuple[str, str]] = {}
    for message_id in message_ids:
        message = found.get(message_id)
        if message is None:
            continue
        imported = dict(message.doc.get("_importFile") or {})
        if imported.get("downloaded") is True:
            continue
        if message.rid not in per_room:
            per_room[message.rid] = _save_upload(conn, stored, message.rid, message.u_id, now)
        upload_id, url = per_room[message.rid]
        ref = {"_id": upload_id, "name": stored.name, "type": stored.type, "size": stored.size}
        imported.pop("lockedUntil", None)
        imported.pop("error", None)
        imported.update({"rocketChatUrl": url, "downloaded": True})
        attachments = list(message.doc.get("attachments") or [])
        attachments.append(attachment_for(stored, url))
        upkeep.update_message(
            conn,
            message_id,
            set_fields={
                "file": ref,
                "files": [ref],
                "attachments": attachments,
                "_importFile": imported,
            },
            unset=("_hidden",),
            now=now,
        )
    for rid in per_room:
        upkeep.refresh_last_message(conn, rid, now=now)
    return sorted(per_room)


def mark_file_error(
    conn: Connection, message_ids: Sequence[str], error: dict[str, Any], now: int
) -> None:
    """Record an item's failure on its messages, which stay hidden (retried by a later run)."""
    found = messages_repo.get_messages(conn, message_ids)
    for message_id, message in found.items():
        imported = dict(message.doc.get("_importFile") or {})
        if imported.get("downloaded") is True:
            continue
        imported.pop("lockedUntil", None)
        imported["error"] = error
        upkeep.update_message(conn, message_id, set_fields={"_importFile": imported}, now=now)


def mark_file_locked(
    conn: Connection, message_ids: Sequence[str], locked_until: int, now: int
) -> None:
    """``_importFile.lockedUntil`` on a claim, as Rocket.Chat's pending-file leases show it."""
    found = messages_repo.get_messages(conn, message_ids)
    for message_id, message in found.items():
        imported = dict(message.doc.get("_importFile") or {})
        imported["lockedUntil"] = locked_until
        upkeep.update_message(conn, message_id, set_fields={"_importFile": imported}, now=now)
