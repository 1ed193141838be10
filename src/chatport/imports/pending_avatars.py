"""Pending avatars (importers.md §6.3): users with ``_pendingAvatarUrl``.

http(s) URLs are fetched like files; ``data:image/...;base64`` URIs (HipChat avatars that
failed when the import applied them, ``data_avatars``) are decoded locally. Both are capped by
the upload limit and must sniff as an image Rocket.Chat shows (PNG, JPEG, GIF, WebP): an
avatar is served inline, so nothing else may become one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from chatport.context import Context
from chatport.imports.data_avatars import ORIGIN, avatar_error, is_data_uri, store_data_avatar
from chatport.imports.pending_fetch import (
    NOT_AN_IMAGE,
    UNSUPPORTED_URL,
    ItemFailed,
    fetch_to_store,
    upload_cap,
)
from chatport.imports.pending_files import Fetched
from chatport.imports.pending_items import Item, NewItem
from chatport.workspace.avatars import pending_avatar_users, set_avatar, set_avatar_error
from chatport.workspace.media import VETTED_IMAGES, sniff
from chatport.workspace.upload_store import UploadStore


class AvatarHandler:
    kind = "avatar"

    def __init__(self, ctx: Context, store: UploadStore) -> None:
        self.ctx = ctx
        self.store = store

    def collect(self, conn: Connection) -> list[NewItem]:
        return [
            NewItem(user_id, url, {"ids": [user_id], "name": "avatar"})
            for user_id, url in pending_avatar_users(conn)
        ]

    def on_claim(self, conn: Connection, item: Item, locked_until: int, now: int) -> None:
        return None

    def fetch(self, item: Item, tick: Callable[[], None]) -> Fetched:
        if is_data_uri(item.url):
            blob = store_data_avatar(item.url, upload_cap(self.ctx), self.store)
            origin = ORIGIN
        elif item.url[:7].lower() == "http://" or item.url[:8].lower() == "https://":
            blob = fetch_to_store(self.ctx, item.url, "avatar", self.store, tick)
            origin = "url"
        else:
            raise ItemFailed(UNSUPPORTED_URL)
        assert blob.sha256 is not None
        if sniff(bytes(blob.head)) not in VETTED_IMAGES:
            raise ItemFailed(NOT_AN_IMAGE)
        return Fetched(blob.sha256, blob.size, bytes(blob.head), origin)

    def succeed(self, conn: Connection, item: Item, fetched: Fetched, now: int) -> None:
        set_avatar(
            conn,
            item.key,
            sha256=fetched.sha256,
            content_type=sniff(fetched.head),
            size=fetched.size,
            origin=fetched.origin,
            now=now,
        )

    def fail(self, conn: Connection, item: Item, code: str, now: int) -> None:
        set_avatar_error(conn, item.key, avatar_error(code, now), now)
