"""The text of a text-subtype message and its attachments (importers.md §2.6–§2.7).

Slack keeps a message's words in three places (``text``, ``blocks``, ``attachments``); this
module decides which one wins and converts mrkdwn to Rocket.Chat markdown.
"""

from __future__ import annotations

import re
from typing import Any

from chatport.imports.convert.text import convert_mrkdwn
from chatport.imports.convert.text_blocks import render_blocks

from .fields import Invalid, opt_list, opt_str
from .message_authors import Author
from .message_base import MapperState
from .message_subtypes import BOT_SUBTYPES

# A tuple, not a ``|`` union, which is built anew at every call.
_STAMP_TYPES = (str, int, float)
_HEX_COLOR = re.compile(r"[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?")
_ATTACHMENT_STRINGS = (
    "title",
    "title_link",
    "author_name",
    "author_link",
    "author_icon",
    "image_url",
    "thumb_url",
)


def references(data: dict[str, Any], mentions: list[str], channels: list[str]) -> None:
    if mentions:
        data["mentions"] = mentions
    if channels:
        data["channels"] = channels


class TextMapping(MapperState):
    """``msg``, ``attachments``, ``emoji``, ``bot`` and ``alias`` of a text message."""

    def _text(
        self, m: dict[str, Any], data: dict[str, Any], subtype: str | None, author: Author
    ) -> None:
        get = m.get
        raw_text = get("text")
        if isinstance(raw_text, str):  # _convert's own first case, without the call
            text, mentions, channels = convert_mrkdwn(raw_text, self.channel_names)
        else:
            text, mentions, channels = self._convert(raw_text, "text")
        attachments = get("attachments")
        if attachments is not None and not isinstance(attachments, list):
            raise Invalid("attachments")
        converted_attachments: list[dict[str, Any]] | None = None
        fallback: str | None = None
        if attachments:
            converted_attachments = []
            for position, attachment in enumerate(attachments):
                if not isinstance(attachment, dict):
                    raise Invalid(f"attachments[{position}]")
                if position == 0:
                    raw_fallback = attachment.get("fallback")
                    if isinstance(raw_fallback, str) and raw_fallback:
                        fallback = convert_mrkdwn(raw_fallback, self.channel_names).text
                converted = self._attachment(attachment, position)
                if converted:
                    converted_attachments.append(converted)
        if not text or fallback is not None:
            blocks = get("blocks")
            if blocks and (not text or text == fallback):
                rendered = render_blocks(blocks, self.channel_names)
                if rendered.text:
                    text, mentions, channels = rendered
        if subtype == "me_message" and text:
            text = "_" + text + "_"
        data["msg"] = text
        if mentions:
            data["mentions"] = mentions
        if channels:
            data["channels"] = channels
        if converted_attachments:
            data["attachments"] = converted_attachments
        icons = get("icons")
        if isinstance(icons, dict):
            emoji = icons.get("emoji")
            if isinstance(emoji, str) and emoji:
                data["emoji"] = emoji
        if subtype in BOT_SUBTYPES:
            data["bot"] = True
        if author.is_bot:
            username = get("username")
            if isinstance(username, str) and username and username != author.username:
                data["alias"] = username

    def _attachment(self, attachment: dict[str, Any], position: int) -> dict[str, Any]:
        path = f"attachments[{position}]"
        out: dict[str, Any] = {}
        pretext = self._convert(attachment.get("pretext"), f"{path}.pretext")[0]
        body = self._convert(attachment.get("text"), f"{path}.text")[0]
        text = "\n".join(part for part in (pretext, body) if part)
        if not text:
            text = self._convert(attachment.get("fallback"), f"{path}.fallback")[0]
        if not text and attachment.get("blocks"):
            text = render_blocks(attachment.get("blocks"), self.channel_names).text
        if text:
            out["text"] = text
        for key in _ATTACHMENT_STRINGS:
            value = opt_str(attachment, key, f"{path}.{key}")
            if value:
                out[key] = value
        color = opt_str(attachment, "color", f"{path}.color")
        if color:
            out["color"] = "#" + color if _HEX_COLOR.fullmatch(color) else color
        stamp = attachment.get("ts")
        if isinstance(stamp, _STAMP_TYPES) and not isinstance(stamp, bool) and stamp != "":
            out["ts"] = stamp
        fields = opt_list(attachment, "fields", f"{path}.fields")
        if fields:
            converted_fields = []
            for item in fields:
                if not isinstance(item, dict):
                    raise Invalid(f"{path}.fields")
                entry: dict[str, Any] = {}
                title = opt_str(item, "title", f"{path}.fields.title")
                if title:
                    entry["title"] = title
                value = self._convert(item.get("value"), f"{path}.fields.value")[0]
                if value:
                    entry["value"] = value
                short = item.get("short")
                if isinstance(short, bool):
                    entry["short"] = short
                if entry:
                    converted_fields.append(entry)
            if converted_fields:
                out["fields"] = converted_fields
        return out
