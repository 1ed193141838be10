"""Streaming the elements of a top-level JSON array, each element parsed on its own.

A member too large to parse whole (a 100,000-user ``users.json``), or one whose whole parse
found an invalid record, is read here. The bytes are split at the array's top-level commas by
a small scanner (strings and brackets only, the runs between them matched in C), and each
element goes through :func:`~chatport.archives.jsonguard.load_json` with every guard. So a value
that only one record gets wrong (a 5,000-digit integer, ``1e309``, ``NaN``, a duplicate key)
makes that record invalid and the next one is read as usual (security A-7 rows 7.2, 7.3, 7.7),
where a streaming tokenizer stops at the first such value and loses the rest of the file.
Text that is not JSON at all still fails the member, naming the byte offset.

Memory is one element at a time, capped at ``max_record_bytes``: a larger element is skipped
while it streams past (never buffered) and reported as an invalid record at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from .errors import ArchiveError, InvalidRecord
from .jsonguard import DEFAULT_MAX_DEPTH, CheckedUtf8, JsonItem, load_json
from .names import display_name

#: One record's bytes (security §2: a 100 MB message is a per-record error, not a parse).
DEFAULT_MAX_RECORD_BYTES = 16 << 20

_READ_SIZE = 256 << 10
_WHITESPACE = b" \t\r\n"
# Outside strings: runs of anything but brackets, quotes (and at the top level commas), with
# whole strings inside the run; it stops at a bracket, a comma or a string the buffer cuts.
_RUN_TOP = re.compile(rb'(?:[^\[\]{}",]+|"[^"\\]*(?:\\.[^"\\]*)*")*', re.S)
_RUN_INNER = re.compile(rb'(?:[^\[\]{}"]+|"[^"\\]*(?:\\.[^"\\]*)*")*', re.S)
# Inside a string the buffer cut: up to the closing quote (or a final lone backslash).
_IN_STRING = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.S)
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE, _COMMA, _BACKSLASH = ord('"'), ord(","), ord("\\")


def iter_json_array(
    stream: BinaryIO,
    member: str,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[JsonItem]:
    """The elements of a top-level array, in order, in bounded memory.

    Raises :class:`ArchiveError` naming the member when the top level is not an array, for
    invalid UTF-8, UTF-16/32, text that is not JSON (with its byte offset) or nesting deeper
    than ``max_depth`` (the top-level array counts as one level). An element with a duplicate
    key, ``NaN``/``Infinity``, an integer over 4300 digits, a number out of float range or more
    than ``max_record_bytes`` bytes is yielded with :attr:`JsonItem.error` set; lone
    surrogates and NUL characters become U+FFFD with a warning on that element.
    """
    where = display_name(member)
    source = CheckedUtf8(stream, where)
    try:
        for index, (offset, data) in enumerate(_split(source, where, max_depth, max_record_bytes)):
            if data is None:
                yield JsonItem(index, None, (), f"record of more than {max_record_bytes} bytes")
                continue
            yield _element(index, offset, data, member, where, max_depth)
    except ArchiveError:
        source.raise_failure()
        raise
    source.raise_failure()


def _element(
    index: int, offset: int, data: bytes, member: str, where: str, max_depth: int
) -> JsonItem:
    try:
        result = load_json(data, member, max_depth - 1)
    except InvalidRecord as exc:
        problem = str(exc).removeprefix(f"{where}: ").removeprefix("invalid record: ")
        return JsonItem(index, None, (), problem)
    except ArchiveError as exc:
        problem = str(exc).removeprefix(f"{where}: ")
        raise ArchiveError(
            f"{where}: invalid JSON in the element at byte {offset}: {problem}"
        ) from None
    return JsonItem(index, result.value, result.warnings)


def _split(
    source: CheckedUtf8, where: str, max_depth: int, max_record_bytes: int
) -> Iterator[tuple[int, bytes | None]]:
    """``(byte offset, element bytes)`` per top-level element; ``None`` bytes for one over
    the cap. Offsets count from the start of the member (after a BOM)."""
    buf = bytearray()
    base = 0  # member offset of buf[0]
    pos = 0
    eof = False

    def fill() -> bool:
        nonlocal eof
        chunk = source.read(_READ_SIZE)
        if not chunk:
            eof = True
            return False
        buf.extend(chunk)
        return True

    # The opening bracket.
    while True:
        while pos < len(buf) and buf[pos] in _WHITESPACE:
            pos += 1
        if pos < len(buf) or not fill():
            break
    if pos >= len(buf) or buf[pos] != ord("["):
        source.raise_failure()
        raise ArchiveError(f"{where}: expected a JSON array at the top level")
    pos += 1
    depth = 1
    start = pos  # where the current element's text begins (after "[" or ",")
    skipping = False
    skipped_from = 0
    commas = 0
    in_string = False
    while True:
        if skipping and pos > start:  # drop what streams past: nothing of it is kept
            del buf[:pos]
            base += pos
            start = pos = 0
        elif not skipping and pos - start > max_record_bytes:
            skipping, skipped_from = True, base + start
            continue
        if in_string:
            pos = _IN_STRING.match(buf, pos).end()  # type: ignore[union-attr]
            if pos < len(buf) and buf[pos] == _QUOTE:
                pos += 1
                in_string = False
                continue
        else:
            pattern = _RUN_TOP if depth == 1 else _RUN_INNER
            pos = pattern.match(buf, pos).end()  # type: ignore[union-attr]
            if pos < len(buf):
                c = buf[pos]
                if c == _QUOTE:  # a string the buffer cuts: read it on
                    in_string = True
                    pos += 1
                    continue
                if c in _OPEN:
                    depth += 1
                    if depth > max_depth:
                        raise ArchiveError(f"{where}: nested deeper than {max_depth} levels")
                    pos += 1
                    continue
                if c in _CLOSE and depth > 1:
                    depth -= 1
                    pos += 1
                    continue
                # A comma or the closing bracket of the top-level array: one element ends.
                text = bytes(buf[start:pos]).strip(_WHITESPACE)
                offset = base + start + (len(buf[start:pos]) - len(buf[start:pos].lstrip()))
                if skipping:
                    yield skipped_from, None
                elif text:
                    yield offset, text
                elif c == _COMMA or commas:
                    at = base + pos
                    raise ArchiveError(f"{where}: invalid JSON: a value expected at byte {at}")
                skipping = False
                pos += 1
                if c == _COMMA:
                    commas += 1
                    start = pos
                    if start > _READ_SIZE:  # keep the buffer to the element being read
                        del buf[:start]
                        base += start
                        start = pos = 0
                    continue
                _after_array(buf, pos, source, where)
                return
        # The buffer ends inside a run, a string or after a lone backslash: read on.
        if not fill():
            at = base + pos
            raise ArchiveError(f"{where}: invalid JSON: unexpected end of data at byte {at}")


def _after_array(buf: bytearray, pos: int, source: CheckedUtf8, where: str) -> None:
    """Only whitespace may follow the top-level array."""
    rest = bytes(buf[pos:])
    while True:
        if rest.strip(_WHITESPACE):
            raise ArchiveError(f"{where}: unexpected content after the array")
        chunk = source.read(_READ_SIZE)
        if not chunk:
            return
        rest = chunk


__all__ = ["DEFAULT_MAX_RECORD_BYTES", "iter_json_array"]
