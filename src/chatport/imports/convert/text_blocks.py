"""Slack Block Kit and rich text to Rocket.Chat markdown (importers.md §8).

Used only when a message's converted ``text`` is empty (or merely repeats its first
attachment's ``fallback``): Slack's ``text`` stays authoritative otherwise. Blocks render one per
line: ``header`` -> ``*text*``; ``section`` -> its text, then its fields as lines; ``context``
-> its elements joined by `` · ``; ``divider`` -> ``---``; ``image`` -> ``[alt](url)``;
``rich_text`` -> sections, lists, preformatted text and quotes. Other blocks are skipped.
``mrkdwn`` texts go through §2.8, ``plain_text`` through rule 12 only. References met in
``user``, ``channel`` and ``broadcast`` elements and in mrkdwn texts are collected like the
tokens of §2.9. Malformed parts are skipped, never raised: this is a fallback rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatport.imports.convert.emoji import emoji_name
from chatport.imports.convert.text import (
    Converted,
    convert_mrkdwn,
    decode_entities,
    format_epoch,
    map_user_id,
)

_MAX_DEPTH = 16
_BROADCAST = {"channel": "all", "everyone": "all", "here": "here"}


class _Render:
    __slots__ = ("channel_names", "mentions", "channels")

    def __init__(self, channel_names: Mapping[str, str]) -> None:
        self.channel_names = channel_names
        self.mentions: list[str] = []
        self.channels: list[str] = []

    def _collect(self, into: list[str], values: list[str]) -> None:
        for value in values:
            if value not in into:
                into.append(value)

    # -- text objects --------------------------------------------------------------------

    def text_object(self, obj: Any) -> str:
        if isinstance(obj, str):
            return decode_entities(obj)
        if not isinstance(obj, dict):
            return ""
        text = obj.get("text")
        if not isinstance(text, str):
            return ""
        if obj.get("type") == "mrkdwn":
            converted = convert_mrkdwn(text, self.channel_names)
            self._collect(self.mentions, converted.mentions)
            self._collect(self.channels, converted.channels)
            return converted.text
        return decode_entities(text)

    # -- blocks --------------------------------------------------------------------------

    def block(self, block: Any) -> str:
        if not isinstance(block, dict):
            return ""
        kind = block.get("type")
        if kind == "header":
            text = self.text_object(block.get("text")).strip()
            return f"*{text}*" if text else ""
        if kind == "section":
            lines = [self.text_object(block.get("text"))]
            fields = block.get("fields")
            if isinstance(fields, list):
                lines.extend(self.text_object(item) for item in fields)
            return "\n".join(line for line in lines if line)
        if kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list):
                return ""
            parts = [self.context_element(item) for item in elements]
            return " · ".join(part for part in parts if part)
        if kind == "divider":
            return "---"
        if kind == "image":
            return _image(block)
        if kind == "rich_text":
            return self.rich_elements(block.get("elements"), 0)
        return ""

    def context_element(self, element: Any) -> str:
        if isinstance(element, dict) and element.get("type") == "image":
            return _image(element)
        return self.text_object(element)

    # -- rich text -----------------------------------------------------------------------

    def rich_elements(self, elements: Any, depth: int) -> str:
        if not isinstance(elements, list) or depth > _MAX_DEPTH:
            return ""
        parts: list[str] = []
        for element in elements:
            if not isinstance(element, dict):
                continue
            kind = element.get("type")
            if kind == "rich_text_section":
                rendered = self.inline(element.get("elements"))
            elif kind == "rich_text_list":
                rendered = self.rich_list(element, depth)
            elif kind == "rich_text_preformatted":
                body = self.inline(element.get("elements"), code=True).strip("\n")
                rendered = f"```\n{body}\n```"
            elif kind == "rich_text_quote":
                body = self.inline(element.get("elements")).rstrip("\n")
                rendered = "\n".join("> " + line for line in body.split("\n"))
            else:
                continue
            if rendered.endswith("\n"):
                rendered = rendered[:-1]
            parts.append(rendered)
        return "\n".join(parts)

    def rich_list(self, element: dict[str, Any], depth: int) -> str:
        items = element.get("elements")
        if not isinstance(items, list):
            return ""
        indent = element.get("indent")
        pad = "  " * indent if isinstance(indent, int) and 0 <= indent <= _MAX_DEPTH else ""
        ordered = element.get("style") == "ordered"
        offset = element.get("offset")
        start = offset if isinstance(offset, int) and 0 <= offset < 10**9 else 0
        lines: list[str] = []
        for number, item in enumerate(items, start + 1):
            if not isinstance(item, dict):
                continue
            if item.get("type") == "rich_text_list":
                lines.append(self.rich_list(item, depth + 1))
                continue
            text = self.inline(item.get("elements")).rstrip("\n")
            marker = f"{number}. " if ordered else "- "
            lines.append(pad + marker + text)
        return "\n".join(lines)

    def inline(self, elements: Any, code: bool = False) -> str:
        if not isinstance(elements, list):
            return ""
        out: list[str] = []
        for element in elements:
            if isinstance(element, dict):
                out.append(self.inline_element(element, code))
        return "".join(out)

    def inline_element(self, element: dict[str, Any], code: bool) -> str:
        kind = element.get("type")
        style = element.get("style")
        if kind == "text":
            text = element.get("text")
            if not isinstance(text, str):
                return ""
            return text if code else _styled(text, style)
        if kind == "link":
            url = element.get("url")
            if not isinstance(url, str) or not url:
                return ""
            label = element.get("text")
            text = f"[{label}]({url})" if isinstance(label, str) and label else url
            return text if code else _styled(text, style, allow_code=False)
        if kind == "user":
            user_id = element.get("user_id")
            if not isinstance(user_id, str) or not user_id:
                return ""
            mapped = map_user_id(user_id)
            if mapped not in self.mentions:
                self.mentions.append(mapped)
            return _styled("@" + mapped, style, allow_code=False)
        if kind == "channel":
            channel_id = element.get("channel_id")
            if not isinstance(channel_id, str) or not channel_id:
                return ""
            name = self.channel_names.get(channel_id) or channel_id
            if name not in self.channels:
                self.channels.append(name)
            return _styled("#" + name, style, allow_code=False)
        if kind == "usergroup":
            group = element.get("usergroup_id")
            return "@" + group if isinstance(group, str) and group else ""
        if kind == "broadcast":
            target = _BROADCAST.get(str(element.get("range")))
            if target is None:
                return ""
            if target not in self.mentions:
                self.mentions.append(target)
            return _styled("@" + target, style, allow_code=False)
        if kind == "emoji":
            short = element.get("name")
            if not isinstance(short, str) or not short:
                return ""
            tone = element.get("skin_tone")
            return ":" + emoji_name(short, tone if isinstance(tone, int) else None) + ":"
        if kind == "date":
            fallback = element.get("fallback")
            if isinstance(fallback, str) and fallback:
                return fallback
            stamp = element.get("timestamp")
            if isinstance(stamp, int) and not isinstance(stamp, bool):
                return format_epoch(stamp) or ""
            return ""
        return ""


def _image(obj: dict[str, Any]) -> str:
    url = obj.get("image_url")
    if not isinstance(url, str) or not url:
        return ""
    alt = obj.get("alt_text")
    return f"[{alt if isinstance(alt, str) else ''}]({url})"


def _styled(text: str, style: Any, allow_code: bool = True) -> str:
    """Wrap in markers inside-out: code, bold, italic, strike; whitespace stays outside."""
    if not isinstance(style, dict) or not text.strip():
        return text
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    if allow_code and style.get("code") is True:
        core = f"`{core}`"
    if style.get("bold") is True:
        core = f"*{core}*"
    if style.get("italic") is True:
        core = f"_{core}_"
    if style.get("strike") is True:
        core = f"~{core}~"
    return lead + core + trail


def render_blocks(blocks: Any, channel_names: Mapping[str, str] | None = None) -> Converted:
    """Render a message's (or an attachment's) ``blocks``; empty text when nothing renders."""
    render = _Render(channel_names or {})
    if not isinstance(blocks, list):
        return Converted("", render.mentions, render.channels)
    parts = [render.block(block) for block in blocks]
    text = "\n".join(part for part in parts if part).rstrip("\n")
    return Converted(text, render.mentions, render.channels)
