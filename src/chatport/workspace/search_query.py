"""Rocket.Chat's message search syntax, parsed into a :class:`SearchQuery`.

The operators are upstream's ``parseMessageSearchQuery``, consumed in its order and with its
patterns: ``from:<user>`` (``from:me``), ``mention:<user>``, ``has:star``, ``has:url`` /
``has:link``, ``is:pinned`` / ``has:pin``, ``has:location`` / ``has:map``, ``before:``,
``after:``, ``on:`` (``DD/MM/YYYY``, ``-`` or ``.`` too, shifted by the user's ``utcOffset``),
``order:asc`` / ``sort:desc``. What is left is the text:

* ``/pattern/flags``, or any text when ``Message_AlwaysSearchRegExp`` is on or the text holds
  CJK characters: a regular expression on ``msg`` (case-insensitive unless flags are given);
* else MongoDB ``$text`` semantics on the full-text index: the words match if *any* is in the
  message, ``"quoted phrases"`` must *all* be there (and then the loose words do not narrow),
  ``-word`` excludes. Words are lower-cased runs of letters and digits, as the index holds them.

Pure: no database here, so the parsing is tested on its own and shared by both backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

_FROM: Final = re.compile(r"from:([a-z0-9.\-_]+)", re.IGNORECASE)
_MENTION: Final = re.compile(r"mention:([a-z0-9.\-_]+)", re.IGNORECASE)
_HAS_STAR: Final = re.compile(r"has:star")
_HAS_URL: Final = re.compile(r"has:url|has:link")
_IS_PINNED: Final = re.compile(r"is:pinned|has:pin")
_HAS_LOCATION: Final = re.compile(r"has:location|has:map")
_DATE: Final = r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
_BEFORE: Final = re.compile(r"before:" + _DATE)
_AFTER: Final = re.compile(r"after:" + _DATE)
_ON: Final = re.compile(r"on:" + _DATE)
_ORDER: Final = re.compile(r"(?:order|sort):(asc|ascend|ascending|desc|descend|descending)")
_SLASHED: Final = re.compile(r"^/(.+)/([imxs]*)$", re.DOTALL)
_CJK: Final = re.compile(
    "[\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_PHRASE: Final = re.compile(r'"([^"]*)"')
#: A word as the index holds it (FTS5 ``unicode61``; PostgreSQL after ``[^[:alnum:]]`` → space).
WORD: Final = re.compile(r"[^\W_]+")

MAX_PATTERN: Final = 256


class InvalidSearch(ValueError):
    """The search text cannot run: an invalid or too costly regular expression."""


@dataclass(frozen=True)
class Words:
    """Full-text terms: ``any_of`` words, ``phrases`` all required, ``none_of`` excluded."""

    any_of: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()

    @property
    def matches_nothing(self) -> bool:
        return not self.any_of and not self.phrases


@dataclass(frozen=True)
class Pattern:
    """A regular expression on ``msg``; ``ignore_case`` as upstream's ``i`` option."""

    source: str
    ignore_case: bool
    multiline: bool = False
    dotall: bool = False


@dataclass(frozen=True)
class SearchQuery:
    from_users: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    starred_by: str | None = None
    has_url: bool = False
    pinned: bool = False
    has_location: bool = False
    ts_min: int | None = None  # inclusive
    ts_max: int | None = None  # inclusive
    ts_before: int | None = None  # exclusive
    ascending: bool = False
    text: Words | Pattern | None = None
    conditions: int = field(default=0, compare=False)

    @property
    def empty(self) -> bool:
        """Nothing asked at all: upstream answers no messages."""
        return self.conditions == 0


def _day(match: re.Match[str], utc_offset_hours: float, plus_days: int = 0) -> int:
    day, month, year = (int(g) for g in match.groups())
    try:
        midnight = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        raise InvalidSearch(f"{match.group(0)} is not a date (DD/MM/YYYY)") from None
    shifted = midnight + timedelta(days=plus_days, hours=utc_offset_hours)
    return int(shifted.timestamp() * 1000)


def words_of(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text))


def _words(text: str) -> Words:
    phrases = tuple(p for p in (words_of(q) for q in _PHRASE.findall(text)) if p)
    rest = _PHRASE.sub(" ", text)
    any_of: list[str] = []
    none_of: list[str] = []
    for token in rest.split():
        target = none_of if token.startswith("-") and len(token) > 1 else any_of
        target.extend(words_of(token))
    return Words(tuple(dict.fromkeys(any_of)), phrases, tuple(dict.fromkeys(none_of)))


def _pattern(source: str, flags: str | None) -> Pattern:
    if len(source) > MAX_PATTERN:
        raise InvalidSearch(f"the regular expression is longer than {MAX_PATTERN} characters")
    try:
        parsed = re.compile(source)
    except re.error as exc:
        raise InvalidSearch(f"invalid regular expression: {exc}") from None
    if parsed.groups and re.search(r"\\[1-9]|\(\?P=", source):
        raise InvalidSearch("back-references are not supported in a search")
    if _nested_repeat(source):
        raise InvalidSearch(
            "a repeated group that itself repeats (like (a+)+) can take exponential time: "
            "write the expression without it"
        )
    if flags is None:
        return Pattern(source, ignore_case=True)
    return Pattern(source, "i" in flags, multiline="m" in flags, dotall="s" in flags)


def _nested_repeat(source: str) -> bool:
    """Whether a quantified group contains a quantifier: the shape of catastrophic
    backtracking, which no time limit inside SQLite's regexp function could stop."""
    depth_has_repeat: list[bool] = [False]
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            close = source.find("]", i + 2)
            i = close + 1 if close > 0 else len(source)
            continue
        if ch == "(":
            depth_has_repeat.append(False)
        elif ch == ")" and len(depth_has_repeat) > 1:
            inner = depth_has_repeat.pop()
            following = source[i + 1 : i + 2]
            if inner and following in ("*", "+", "{"):
                return True
            if inner:
                depth_has_repeat[-1] = True
        elif ch in "*+{":
            depth_has_repeat[-1] = True
        i += 1
    return False


def parse(
    text: str, *, username: str | None, user_id: str, utc_offset: float, always_regexp: bool
) -> SearchQuery:
    """Parse ``searchText`` for the user ``username`` (``from:me``, ``has:star``)."""
    from_users: list[str] = []

    def take_from(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "me" and username and username not in from_users:
            name = username
        from_users.append(name)
        return ""

    text = _FROM.sub(take_from, text)
    mentions: list[str] = []

    def take_mention(m: re.Match[str]) -> str:
        mentions.append(m.group(1))
        return ""

    text = _MENTION.sub(take_mention, text)
    flags = {"star": False, "url": False, "pin": False, "loc": False}

    def flag(name: str) -> str:
        flags[name] = True
        return ""

    text = _HAS_STAR.sub(lambda _m: flag("star"), text)
    text = _HAS_URL.sub(lambda _m: flag("url"), text)
    text = _IS_PINNED.sub(lambda _m: flag("pin"), text)
    text = _HAS_LOCATION.sub(lambda _m: flag("loc"), text)
    ts_min: int | None = None
    ts_max: int | None = None
    ts_before: int | None = None
    for m in _BEFORE.finditer(text):
        ts_max = _day(m, utc_offset)
    text = _BEFORE.sub("", text)
    for m in _AFTER.finditer(text):
        ts_min = _day(m, utc_offset, plus_days=1)
    text = _AFTER.sub("", text)
    for m in _ON.finditer(text):
        ts_min, ts_max = _day(m, utc_offset), None
        ts_before = _day(m, utc_offset, plus_days=1)
    text = _ON.sub("", text)
    ascending = False
    for m in _ORDER.finditer(text):
        ascending = m.group(1).startswith("asc")
    text = _ORDER.sub("", text)

    body = re.sub(r"\s\s+", " ", text.strip())
    matched: Words | Pattern | None = None
    if body:
        slashed = _SLASHED.match(body)
        if slashed:
            matched = _pattern(slashed.group(1), slashed.group(2))
        elif always_regexp or _CJK.search(body):
            matched = _pattern(body, None)
        else:
            matched = _words(body)
    conditions = (
        len(from_users)
        + len(mentions)
        + sum(1 for name in ("url", "pin", "loc") if flags[name])
        + (1 if flags["star"] else 0)
        + sum(1 for v in (ts_min, ts_max, ts_before) if v is not None)
        + (1 if matched is not None else 0)
    )
    return SearchQuery(
        from_users=tuple(from_users),
        mentions=tuple(mentions),
        starred_by=user_id if flags["star"] else None,
        has_url=flags["url"],
        pinned=flags["pin"],
        has_location=flags["loc"],
        ts_min=ts_min,
        ts_max=ts_max,
        ts_before=ts_before,
        ascending=ascending,
        text=matched,
        conditions=conditions,
    )
