"""Field caps (security-reliability §1.7 item 5, §2; A-7 rows 7.8, 7.13): a record with a field
beyond its cap fails on its own with ``importer-field-too-long``, naming the field, its length
and the cap; the import goes on. Nothing is truncated silently.

Without them a 30 MB message text was stored whole (and served whole by ``chat.getMessage``),
and a 10 MB username was copied into every message of its author.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FIELD_TOO_LONG = "importer-field-too-long"


@dataclass(frozen=True)
class FieldCaps:
    """Caps in characters; each is a setting (``CHATPORT_IMPORT_MAX_*``, docs/running.md)."""

    message_text: int = 1 << 20
    name: int = 255  # usernames, user names, room names
    topic: int = 4096  # room topics and descriptions, user status texts and bios
    file_name: int = 255

    def _over(self, fields: Iterable[tuple[str, Any, int]]) -> dict[str, Any] | None:
        for field, value, cap in fields:
            if isinstance(value, str) and len(value) > cap:
                return {
                    "message": FIELD_TOO_LONG,
                    "details": {"field": field, "length": len(value), "max": cap},
                }
        return None

    def user(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The first field of a user record beyond its cap, as that record's error."""
        get = data.get
        return self._over(
            (
                ("username", get("username"), self.name),
                ("name", get("name"), self.name),
                ("statusText", get("statusText"), self.topic),
                ("bio", get("bio"), self.topic),
            )
        )

    def room(self, data: dict[str, Any]) -> dict[str, Any] | None:
        get = data.get
        return self._over(
            (
                ("name", get("name"), self.name),
                ("topic", get("topic"), self.topic),
                ("description", get("description"), self.topic),
            )
        )

    def message(self, msg: str, imported_file: Any) -> dict[str, Any] | None:
        """Called for every message: the common case is one length test."""
        if len(msg) > self.message_text:
            return self._over((("msg", msg, self.message_text),))
        if isinstance(imported_file, dict):
            return self._over((("_importFile.name", imported_file.get("name"), self.file_name),))
        return None


def caps_from(config: Any) -> FieldCaps:
    """The caps a :class:`~chatport.config.Config` sets."""
    return FieldCaps(
        message_text=int(config.import_max_message_chars),
        name=int(config.import_max_name_chars),
        topic=int(config.import_max_topic_chars),
        file_name=int(config.import_max_file_name_chars),
    )
