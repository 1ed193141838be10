"""The state every part of the Slack message mapper shares, and the message id rule.

The mapper is one class assembled from per-concern mixins (text, files, threads, pins, authors)
so that each concern reads as a small module while every call stays a plain method call on one
object: the mapper runs once per message, and an extra call layer there is paid a million
times over in a big export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chatport.imports.convert.text import convert_mrkdwn

from .fields import Invalid
from .records import ReaderRecord
from .users import UserIndex

if TYPE_CHECKING:
    from .message_authors import Author


def message_id(channel_id: str, ts_text: str) -> str:
    """The import id of a message, also derivable from a reference to it (threads, pins)."""
    return f"slack-{channel_id}-{ts_text.replace('.', '-')}"


def http_url(value: Any) -> str | None:
    """The value when it is an http(s) URL, the only kind a record may point to."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value
    return None


class MapperState:
    """The export-wide lookups the rules need; the base of every mapper mixin."""

    def __init__(
        self,
        users: UserIndex,
        channel_names: Mapping[str, str],
        uploads: Mapping[str, str],
        max_message_length: int = 0,
    ) -> None:
        self.users = users
        self.channel_names = channel_names
        self.uploads = uploads
        #: ``import_max_message_length``: longer texts are split into parts (§8); 0 is off.
        self.max_message_length = max_message_length
        #: Synthetic bot user records, by import id, in first-seen order (filled by ``count``
        #: and ``records`` when they meet a message whose bot has no users.json entry).
        self.synthetic_bots: dict[str, ReaderRecord] = {}
        #: The author of a message by its ``user`` (see ``AuthorMapping.author``).
        self._user_authors: dict[str, Author] = {}

    def _convert(self, text: Any, field: str) -> tuple[str, list[str], list[str]]:
        """``(markdown, mentions, channels)`` of mrkdwn; a non-string is ``field``'s error."""
        if text is None:
            return "", [], []
        if not isinstance(text, str):
            raise Invalid(field)
        return convert_mrkdwn(text, self.channel_names)
