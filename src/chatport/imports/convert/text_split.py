"""Splitting a long converted message into parts (importers.md §8, ``import_max_message_length``).

A text longer than the limit is cut at the last newline before the limit, else at the last
whitespace, never inside a code fence, unless the fence alone is longer than the limit (then the
cut falls inside it, at a newline or whitespace if there is one). With no place to cut, the text
is cut at the limit. The newline or space a cut falls on is dropped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

_FENCE = "```"


def _fence_starts(text: str) -> list[int]:
    starts: list[int] = []
    at = text.find(_FENCE)
    while at != -1:
        starts.append(at)
        at = text.find(_FENCE, at + len(_FENCE))
    return starts


def _inside_fence(starts: list[int], offset: int, position: int) -> bool:
    """Whether ``offset + position`` lies within a fenced block (an odd number of fences
    opened before it in the whole text)."""
    return bisect_left(starts, offset + position) % 2 == 1


def _anywhere(_position: int) -> bool:
    return True


def _last(text: str, limit: int, chars: str, allowed: Callable[[int], bool]) -> int:
    """The last position in ``1..limit`` holding one of ``chars`` that ``allowed`` accepts."""
    end = min(limit, len(text) - 1) + 1
    best = -1
    for char in chars:
        position = text.rfind(char, 1, end)
        while position > best and not allowed(position):
            position = text.rfind(char, 1, position)
        best = max(best, position)
    return best


def split_text(text: str, limit: int) -> list[str]:
    """``[text]`` when it fits (or ``limit <= 0``), else the parts in order."""
    if limit <= 0 or len(text) <= limit:
        return [text]
    starts = _fence_starts(text)
    parts: list[str] = []
    offset = 0
    rest = text
    while len(rest) > limit:

        def outside(position: int, offset: int = offset) -> bool:
            return not _inside_fence(starts, offset, position)

        cut = _last(rest, limit, "\n", outside)
        if cut == -1:
            cut = _last(rest, limit, " \t\n", outside)
        if cut == -1:
            cut = _last(rest, limit, "\n", _anywhere)
        if cut == -1:
            cut = _last(rest, limit, " \t\n", _anywhere)
        if cut == -1:
            parts.append(rest[:limit])
            offset += limit
            rest = rest[limit:]
            continue
        parts.append(rest[:cut])
        offset += cut + 1
        rest = rest[cut + 1 :]
    parts.append(rest)
    return parts
