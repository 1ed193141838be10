"""Slack mrkdwn to Rocket.Chat markdown (importers.md §2.8–§2.10).

The rules of §2.8 run in their order, each over the whole text. Every rule is a module-level
compiled pattern, and a rule runs only when the text contains its trigger (``<@``, ``<#``,
``<http``…), so a plain message costs a few substring checks. Slack never puts a raw ``<`` inside
a ``<…>`` token (it writes ``&lt;``), so the character classes of the patterns also stop at
``<``: every rule is then linear in the text, even on hostile input where ``[^>]*`` would scan
to the end of the text from each of thousands of openers.

Mentions and channel references are collected from the tokens of rules 1, 2, 9, 10 and 11 only
(§2.9), in the order the rules meet them, unique.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from chatport.imports.convert.emoji import replace_emoji

ROCKET_CAT = "rocket.cat"
#: Slack's own bot and the placeholder author both become Rocket.Chat's bot (§2.3).
SLACKBOT_IDS = frozenset({"USLACKBOT", "U00"})

_R1_ALL = re.compile(r"<!(?:everyone|channel)(?:\|[^<>]*)?>")
_R2_HERE = re.compile(r"<!here(?:\|[^<>]*)?>")
_R3_SUBTEAM = re.compile(r"<!subteam\^([^|<>]+)(?:\|([^<>]*))?>")
_R4_DATE = re.compile(r"<!date\^(\d+)\^[^|<>]*(?:\|([^<>]*))?>")
_R5_SPECIAL = re.compile(r"<!([^|<>]+)\|([^<>]*)>")
_R6_URL = re.compile(r"<(https?:[^|<>]*)>")
_R7_LINK = re.compile(r"<(https?:[^|<>]*)\|([^<>]*)>")
_R8_MAILTO = re.compile(r"<mailto:([^|<>]*)(?:\|([^<>]*))?>")
_R9_CHANNEL_LABEL = re.compile(r"<#([^|<>]+)\|([^<>]*)>")
_R10_CHANNEL = re.compile(r"<#([^|<>]+)>")
_R11_USER = re.compile(r"<@([^|<>]+)(?:\|[^<>]*)?>")
_R14_FENCE = re.compile(r"\n?```\n?")

_NO_CHANNELS: Mapping[str, str] = {}

# Replacements by a group that always takes part in the match: what the templates ``\1`` and
# ``\2`` give, from C (a template is expanded by Python code at every match).
_GROUP_1: Callable[[re.Match[str]], str] = operator.itemgetter(1)
_GROUP_2: Callable[[re.Match[str]], str] = operator.itemgetter(2)


class Converted(NamedTuple):
    """A converted text and the references its tokens carried."""

    text: str
    mentions: list[str]
    channels: list[str]


#: Builds a :class:`Converted` from a tuple without the named tuple's Python-level
#: ``__new__`` (a frame per call, once per converted text).
_converted: Callable[[type[Converted], tuple[str, list[str], list[str]]], Converted] = tuple.__new__


def map_user_id(user_id: str) -> str:
    """``USLACKBOT`` and ``U00`` are Rocket.Chat's ``rocket.cat``; other ids stay."""
    return ROCKET_CAT if user_id in SLACKBOT_IDS else user_id


def format_epoch(seconds: int) -> str | None:
    """``1392734382`` -> ``2014-02-18 14:39 UTC``; ``None`` when out of range."""
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return None


def decode_entities(text: str) -> str:
    """Rule 12: ``&lt;``, then ``&gt;``, then ``&amp;``."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _subteam(match: re.Match[str]) -> str:
    label = match.group(2)
    if label:
        return label if label.startswith("@") else "@" + label
    return "@" + match.group(1)


def _date(match: re.Match[str]) -> str:
    label = match.group(2)
    if label:
        return label
    formatted = format_epoch(int(match.group(1))) if len(match.group(1)) <= 12 else None
    return formatted if formatted is not None else match.group(0)


def _link(match: re.Match[str]) -> str:
    label = match.group(2)
    return f"[{label}]({match.group(1)})" if label else match.group(1)


def _mailto(match: re.Match[str]) -> str:
    return match.group(2) or match.group(1)


class _Tokens:
    """Per-call state for the rules that collect references."""

    __slots__ = ("channel_names", "mentions", "channels")

    def __init__(
        self, channel_names: Mapping[str, str], mentions: list[str], channels: list[str]
    ) -> None:
        self.channel_names = channel_names
        self.mentions = mentions
        self.channels = channels

    def labelled_channel(self, match: re.Match[str]) -> str:
        label = match.group(2)
        if not label:
            return self.channel_name(match.group(1), match.group(0))
        _add(self.channels, label)
        return "#" + label

    def channel(self, match: re.Match[str]) -> str:
        return self.channel_name(match.group(1), match.group(0))

    def channel_name(self, channel_id: str, original: str) -> str:
        name = self.channel_names.get(channel_id)
        if not name:
            return original
        _add(self.channels, name)
        return "#" + name

    def user(self, match: re.Match[str]) -> str:
        user_id = map_user_id(match.group(1))
        _add(self.mentions, user_id)
        return "@" + user_id


def convert_mrkdwn(text: str, channel_names: Mapping[str, str] | None = None) -> Converted:
    """Apply §2.8's rules in order; ``channel_names`` maps channel import ids to their names
    (rule 10). Returns the text and the collected mentions and channel names (§2.9)."""
    mentions: list[str] = []
    channels: list[str] = []
    if not text:
        return Converted("", mentions, channels)
    if "<" not in text and "&" not in text and ":" not in text and "```" not in text:
        # No rule has anything to do (most chat text): the same four tests the rules start
        # with, without their calls.
        return _converted(Converted, (text, mentions, channels))
    if "<" in text:
        tokens: _Tokens | None = None
        if "<!" in text:
            if "<!everyone" in text or "<!channel" in text:
                text, count = _R1_ALL.subn("@all", text)
                if count:
                    mentions.append("all")
            if "<!here" in text:
                text, count = _R2_HERE.subn("@here", text)
                if count:
                    _add(mentions, "here")
            if "<!subteam^" in text:
                text = _R3_SUBTEAM.sub(_subteam, text)
            if "<!date^" in text:
                text = _R4_DATE.sub(_date, text)
            if "<!" in text:
                text = _R5_SPECIAL.sub(_GROUP_2, text)
        if "<http" in text:
            text = _R6_URL.sub(_GROUP_1, text)
            if "<http" in text:
                text = _R7_LINK.sub(_link, text)
        if "<mailto:" in text:
            text = _R8_MAILTO.sub(_mailto, text)
        if "<#" in text:
            tokens = _Tokens(channel_names or _NO_CHANNELS, mentions, channels)
            text = _R9_CHANNEL_LABEL.sub(tokens.labelled_channel, text)
            if "<#" in text:
                text = _R10_CHANNEL.sub(tokens.channel, text)
        if "<@" in text:
            if tokens is None:
                tokens = _Tokens(_NO_CHANNELS, mentions, channels)
            text = _R11_USER.sub(tokens.user, text)
    text = decode_entities(text)
    text = replace_emoji(text)
    if "```" in text:
        text = _R14_FENCE.sub("\n```\n", text).strip("\n")
    return _converted(Converted, (text, mentions, channels))


def mrkdwn_to_markdown(text: str, channel_names: Mapping[str, str] | None = None) -> str:
    """The converted text only (see :func:`convert_mrkdwn`)."""
    return convert_mrkdwn(text, channel_names).text
