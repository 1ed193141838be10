"""Elements of a JSON-array member of the export, whole or streamed.

Day files are one channel's day: almost always a few KiB to a few MiB. Those are read whole
and parsed by :func:`load_json` (the C ``json`` parser with chatport's hooks), several times
faster than ijson's pure-Python backend, which jsonguard must use for its guarantees. A member
above :data:`WHOLE_MAX` bytes (and a member whose whole parse finds an invalid record or a lone
surrogate, so that only the affected element is marked) is streamed by
:func:`iter_json_array` in bounded memory instead. The choice depends only on the member's
bytes, so every pass over the archive yields the same elements.

A member that does not parse ends with one :class:`MemberFailure` (after the elements already
streamed, if any); damage to the archive itself (bad CRC, bomb, total cap) raises
:class:`ArchiveError`, which fails the whole preparation.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from chatport.archives import (
    ArchiveError,
    ArchiveLimits,
    InvalidRecord,
    MemberTooLarge,
    SafeZip,
    iter_json_array,
    load_json,
)

#: Members up to this many uncompressed bytes are parsed whole.
WHOLE_MAX = 16 << 20

_LINE = re.compile(r"\bline (\d+)")


@dataclass(slots=True)
class Element:
    index: int
    value: Any
    surrogates: bool = False
    error: str | None = None


@dataclass(slots=True)
class MemberFailure:
    reason: str
    line: int | None = None


def _failure(exc: ArchiveError) -> MemberFailure:
    reason = str(exc)
    line = _LINE.search(reason)
    return MemberFailure(reason, int(line.group(1)) if line else None)


class _Tracked:
    """Remembers an ArchiveError raised by the member stream itself (damage, not syntax)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.failure: ArchiveError | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except ArchiveError as exc:
            self.failure = exc
            raise


def iter_member(
    archive: SafeZip,
    name: str,
    limits: ArchiveLimits,
    *,
    trusted: Collection[str] = (),
    proven: set[str] | None = None,
) -> Iterator[Element | MemberFailure]:
    """The elements of member ``name`` (a JSON array), then a failure if it does not parse.

    ``proven`` collects the names of members whose bytes the guarded parse proved equal to a
    plain ``orjson.loads`` (see :class:`~chatport.archives.jsonguard.JsonResult`); a later pass
    over the same archive passes them back as ``trusted`` and skips the proof's checks (about a
    third of the parse). Anything a trusted parse would not give as an array takes the guarded
    path as usual.
    """
    whole_max = min(WHOLE_MAX, limits.max_member_bytes)
    if archive.compressed_size(name) <= whole_max:
        try:
            data = archive.read(name, max_bytes=whole_max)
        except MemberTooLarge:
            data = None
        if data is not None and name in trusted:
            elements = _trusted_elements(data)
            if elements is not None:
                del data
                yield from elements
                return
        if data is not None:
            try:
                result = load_json(data, name)
            except InvalidRecord:
                result = None
            except ArchiveError as exc:
                yield _failure(exc)
                return
            del data
            if result is not None and not result.warnings:
                value = result.value
                if not isinstance(value, list):
                    yield MemberFailure(f"{name}: expected a JSON array at the top level")
                    return
                if proven is not None and result.proven:
                    proven.add(name)
                for index, item in enumerate(value):
                    yield Element(index, item)
                return
    yield from _stream(archive, name, limits)


def _trusted_elements(data: bytes) -> Iterator[Element] | None:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, list):
        return None
    return (Element(index, item) for index, item in enumerate(value))


def _stream(
    archive: SafeZip, name: str, limits: ArchiveLimits
) -> Iterator[Element | MemberFailure]:
    stream = archive.open(name, max_bytes=limits.max_streamed_member_bytes)
    tracked = _Tracked(stream)
    try:
        for item in iter_json_array(tracked, name):  # type: ignore[arg-type]
            yield Element(item.index, item.value, bool(item.warnings), item.error)
    except MemberTooLarge as exc:
        yield _failure(exc)
    except ArchiveError as exc:
        if tracked.failure is not None:
            raise
        yield _failure(exc)
    finally:
        stream.close()
