"""``data:image/...;base64`` avatars (HipChat): decoded, vetted and stored with no fetch.

One path for both places that apply them: the users phase of a HipChat import, which applies
them as it creates the user (importers.md §5.2), and ``pending-avatars``, which retries the
ones that failed there (§6.3). Both keep the upload cap and accept only the images Rocket.Chat
shows (PNG, JPEG, GIF, WebP), sniffed from the decoded bytes before anything is written, so a
rejected avatar leaves no blob behind.

Safe to repeat (a resumed batch, a second run): the store is content-addressed and writes
through a temporary name and a rename, and the ETag is the digest of the bytes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from chatport.clock import iso_ms
from chatport.imports.pending_fetch import (
    DOWNLOAD_FAILED,
    NOT_AN_IMAGE,
    ItemFailed,
    decode_data_uri,
)
from chatport.workspace.avatars import set_avatar, set_avatar_error
from chatport.workspace.media import VETTED_IMAGES, sniff
from chatport.workspace.upload_store import HEAD_BYTES, BlobWriter, UploadStore

log = logging.getLogger("chatport.imports.avatars")

ORIGIN = "upload"  # Rocket.Chat's avatarOrigin for an avatar given as bytes


def is_data_uri(url: str) -> bool:
    return url[:5].lower() == "data:"


def avatar_error(code: str, now: int) -> dict[str, Any]:
    """``_pendingAvatarError``: the §6 code and when it happened."""
    return {"message": code, "at": iso_ms(now)}


def store_data_avatar(uri: str, cap: int, store: UploadStore) -> BlobWriter:
    """The committed blob of a ``data:`` avatar, or ``ItemFailed`` with its §6 code."""
    data = decode_data_uri(uri, cap)
    if sniff(data[:HEAD_BYTES]) not in VETTED_IMAGES:
        raise ItemFailed(NOT_AN_IMAGE)
    return store.put_bytes(data)


@dataclass(frozen=True)
class DataAvatars:
    """Applies ``data:`` avatars to users as they are converted (importers.md §5.2)."""

    store: UploadStore
    cap: int

    def apply(self, conn: Connection, user_id: str, uri: str, now: int) -> None:
        """Make ``uri`` the user's avatar, in the caller's transaction.

        Anything but a ``data:`` URI is left as ``_pendingAvatarUrl`` untouched: nothing is
        fetched during a conversion. A ``data:`` URI that fails keeps ``_pendingAvatarUrl`` and
        gets ``_pendingAvatarError``, as a failed ``pending-avatars`` item does.
        """
        if not is_data_uri(uri):
            return
        try:
            blob = store_data_avatar(uri, self.cap, self.store)
        except ItemFailed as exc:
            set_avatar_error(conn, user_id, avatar_error(exc.code, now), now)
            return
        except OSError:  # the upload store failed: pending-avatars retries it later
            log.exception("user %s: avatar not stored", user_id)
            set_avatar_error(conn, user_id, avatar_error(DOWNLOAD_FAILED, now), now)
            return
        assert blob.sha256 is not None
        set_avatar(
            conn,
            user_id,
            sha256=blob.sha256,
            content_type=sniff(bytes(blob.head)),
            size=blob.size,
            origin=ORIGIN,
            now=now,
        )
