"""Finding the bytes behind ``/file-upload/<id>/<name>`` and ``/avatar/<username>``.

Access follows Rocket.Chat: a file is readable by whoever can read its room (the same rule as
the read API, ``access.can_read``); avatars are public. The answer says how to serve the bytes:
vetted image types inline, everything else as an attachment (security-reliability §1.8.4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Set
from dataclasses import dataclass
from html import escape
from pathlib import Path

from sqlalchemy import Engine

from chatport.workspace import rooms, uploads
from chatport.workspace.access import can_read
from chatport.workspace.avatars import avatar_by_username
from chatport.workspace.media import OCTET, VETTED_IMAGES
from chatport.workspace.upload_store import UploadStore


class FileNotFound(Exception):
    """No such upload, or its bytes are not in the store."""


class FileForbidden(Exception):
    """The caller may not read the upload's room."""


@dataclass(frozen=True)
class Blob:
    """Bytes to serve: on disk (``path``) or generated (``data``)."""

    size: int
    content_type: str
    etag: str
    filename: str
    inline: bool
    path: Path | None = None
    data: bytes | None = None


class FileAccess:
    def __init__(self, engine: Engine, upload_dir: Path) -> None:
        self._engine = engine
        self._store = UploadStore(upload_dir)

    def upload(self, upload_id: str, user_id: str, held: Set[str]) -> Blob:
        with self._engine.connect() as conn:
            found = uploads.get_upload(conn, upload_id)
            if found is None or not found.blob_sha256:
                raise FileNotFound(upload_id)
            room = rooms.get_room(conn, found.rid)
            if room is None or not can_read(conn, room, user_id, held):
                raise FileForbidden(upload_id)
        path = self._store.blob_path(found.blob_sha256)
        if not path.is_file():
            raise FileNotFound(upload_id)
        kind = str(found.doc.get("type") or OCTET)
        return Blob(
            size=path.stat().st_size,
            content_type=kind,
            etag=f'"{found.blob_sha256}"',
            filename=str(found.doc.get("name") or upload_id),
            inline=kind in VETTED_IMAGES,
            path=path,
        )

    def avatar(self, username: str) -> Blob:
        """The stored avatar, else Rocket.Chat's generated initial on a coloured square."""
        with self._engine.connect() as conn:
            row = avatar_by_username(conn, username)
        if row is not None:
            path = self._store.blob_path(row.blob_sha256)
            if path.is_file():
                return Blob(
                    size=path.stat().st_size,
                    content_type=row.content_type,
                    etag=f'"{row.etag}"',
                    filename=username,
                    inline=True,
                    path=path,
                )
        return _initials(username)


_COLOURS = ("#F44336", "#E91E63", "#9C27B0", "#3F51B5", "#2196F3", "#009688", "#4CAF50")


def _initials(username: str) -> Blob:
    letter = escape((username[:1] or "?").upper())
    colour = _COLOURS[sum(username.encode()) % len(_COLOURS)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">'
        f'<rect width="100%" height="100%" fill="{colour}"/>'
        '<text x="50%" y="50%" dy="0.36em" text-anchor="middle" fill="#ffffff" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="128">{letter}</text></svg>'
    ).encode()
    digest = hashlib.sha256(svg).hexdigest()[:24]
    return Blob(
        size=len(svg),
        content_type="image/svg+xml",
        etag=f'"{digest}"',
        filename=username,
        inline=True,
        data=svg,
    )
