"""Counting readers: every byte an archive produces passes a cap before anyone sees it.

Caps apply to bytes actually produced, never to sizes declared in headers (a lying header is the
classic bomb). Readers pull at most one chunk at a time from the decompressor, so a bomb is
stopped after at most one chunk past its cap instead of after it has been materialised.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, BinaryIO

from .errors import ArchiveError, MemberTooLarge
from .names import display_name

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK = 64 << 10

#: Called with the size of every chunk produced; raises to stop reading.
ByteHook = Callable[[int], None]
#: Turns a library exception raised while reading into an ArchiveError.
Translate = Callable[[Exception], ArchiveError]


def human_bytes(count: float) -> str:
    """``268435456`` -> ``"256 MiB"``: limits shown to the admin in their natural unit."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:g} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


class TotalBudget:
    """Bytes one archive may produce in total, shared by all its readers.

    A bomb spread over many members, or one member opened many times, still trips it.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self.produced = 0

    def charge(self, count: int) -> None:
        self.produced += count
        if self.produced > self._limit:
            raise ArchiveError(f"archive expands to more than {human_bytes(self._limit)} in total")


class RatioGuard:
    """Stops decompression whose output outgrows its input by more than ``max_ratio``.

    ``compressed`` returns the compressed bytes behind the output so far (a member's stored size
    for zip, the bytes consumed from the stream for tar.gz). The check only starts after
    ``grace`` bytes so small, highly compressible files (tar padding, empty JSON) pass.
    """

    def __init__(
        self, what: str, compressed: Callable[[], int], max_ratio: float, grace: int
    ) -> None:
        self._what = what
        self._compressed = compressed
        self._max_ratio = max_ratio
        self._grace = grace
        self.produced = 0

    def charge(self, count: int) -> None:
        self.produced += count
        if self.produced <= self._grace:
            return
        if self.produced > self._max_ratio * max(self._compressed(), 1):
            raise ArchiveError(
                f"{self._what} expands more than {self._max_ratio:g} times (a compression bomb)"
            )


class CappedReader(io.RawIOBase):
    """A raw reader over one member: per-member cap, extra hooks, exception translation.

    Wrapped in :class:`io.BufferedReader` by :func:`capped_stream`; ``read()`` without a size
    therefore still pulls one chunk at a time through the caps. Once a read failed, every later
    read raises the same error: a half-read bomb never resumes.
    """

    def __init__(
        self,
        inner: IO[bytes],
        *,
        member: str,
        max_bytes: int,
        hooks: tuple[ByteHook, ...] = (),
        translate: Translate | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._member = member
        self._max_bytes = max_bytes
        self._hooks = hooks
        self._translate = translate
        self._failure: ArchiveError | None = None
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self.closed:
            raise ValueError("read from a closed archive member")
        if self._failure is not None:
            raise self._failure
        view = memoryview(buffer).cast("B")
        # One byte past the cap is enough to know the cap is exceeded.
        want = min(len(view), CHUNK, self._max_bytes - self.produced + 1)
        try:
            data = self._pull(want)
            self.produced += len(data)
            if self.produced > self._max_bytes:
                raise MemberTooLarge(
                    f"member {display_name(self._member)}: larger than "
                    f"{human_bytes(self._max_bytes)}"
                )
            for hook in self._hooks:
                hook(len(data))
        except ArchiveError as exc:
            self._failure = exc
            raise
        view[: len(data)] = data
        return len(data)

    def _pull(self, size: int) -> bytes:
        try:
            return self._inner.read(size)
        except ArchiveError:
            raise
        except Exception as exc:
            if self._translate is None:
                raise
            raise self._translate(exc) from exc

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                super().close()


def capped_stream(raw: CappedReader) -> BinaryIO:
    """A buffered, file-like view of a :class:`CappedReader` (what callers receive)."""
    return io.BufferedReader(raw, buffer_size=CHUNK)
