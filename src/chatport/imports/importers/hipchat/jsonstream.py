"""The elements of one JSON-array member of a tar stream, whole or streamed.

A tar member can be read only once, front to back. Members up to :data:`WHOLE_MAX` bytes (nearly
every HipChat history file) are read whole and parsed by :func:`load_json`, several times faster
than ijson's pure-Python backend; a larger member continues, after the bytes already read, in
:func:`iter_json_array` in bounded memory. A whole parse that finds an invalid record or a lone
surrogate is redone by streaming from memory, so only the affected element is marked. The
choice depends only on the member's bytes, so every pass yields the same elements.

A member that does not parse ends with one :class:`MemberFailure` (after the elements already
yielded); damage to the archive itself raises :class:`ArchiveError`, failing the whole read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from chatport.archives import ArchiveError, InvalidRecord, iter_json_array, load_json

#: Members up to this many bytes are parsed whole.
WHOLE_MAX = 16 << 20


@dataclass(slots=True)
class Element:
    index: int
    value: Any
    surrogates: bool = False
    error: str | None = None


@dataclass(slots=True)
class MemberFailure:
    reason: str


class _Tracked(io.RawIOBase):
    """The member stream, remembering an error it raised itself (archive damage, not JSON)."""

    def __init__(self, stream: BinaryIO, head: bytes = b"") -> None:
        super().__init__()
        self._stream = stream
        self._head = head
        self.failure: ArchiveError | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            cut = len(self._head) if size < 0 else min(size, len(self._head))
            data, self._head = self._head[:cut], self._head[cut:]
            return data
        try:
            return self._stream.read(size)
        except ArchiveError as exc:
            self.failure = exc
            raise

    def read_upto(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while total < limit:
            data = self.read(limit - total)
            if not data:
                break
            parts.append(data)
            total += len(data)
        return b"".join(parts)


def iter_elements(
    stream: BinaryIO, name: str, whole_max: int = WHOLE_MAX
) -> Iterator[Element | MemberFailure]:
    """The elements of member ``name`` (a JSON array), then a failure if it does not parse."""
    tracked = _Tracked(stream)
    head = tracked.read_upto(whole_max + 1)
    if len(head) <= whole_max:
        try:
            result = load_json(head, name)
        except InvalidRecord:
            result = None
        except ArchiveError as exc:
            yield MemberFailure(str(exc))
            return
        if result is not None and not result.warnings:
            if not isinstance(result.value, list):
                yield MemberFailure(f"{name}: expected a JSON array at the top level")
                return
            for index, item in enumerate(result.value):
                yield Element(index, item)
            return
        source = _Tracked(io.BytesIO(head))
    else:
        source = _Tracked(stream, head)
    del head
    try:
        for item in iter_json_array(source, name):  # type: ignore[arg-type]
            yield Element(item.index, item.value, bool(item.warnings), item.error)
    except ArchiveError as exc:
        if source.failure is not None:
            raise source.failure from None
        yield MemberFailure(str(exc))
