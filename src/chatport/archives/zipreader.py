"""Random-access reading of a stored zip (Slack, CSV imports) without ever extracting it.

``zipfile`` does the parsing, but only after chatport's own checks (security-reliability.md §1.6
items 6–10): the EOCD pre-check bounds what ``ZipFile`` will allocate, the span check stops
overlapping bombs on interpreters without gh-109858, only stored and deflate members are
accepted, and members are read through counting readers capped on bytes actually produced.
Every ``zipfile``, ``zlib`` or I/O exception becomes an :class:`ArchiveError`.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from types import TracebackType
from typing import BinaryIO, TypeVar

from .counting import CappedReader, RatioGuard, TotalBudget, capped_stream, human_bytes
from .eocd import check_central_directory
from .errors import ArchiveError, MemberTooLarge
from .limits import ArchiveLimits
from .names import display_name, is_junk, safe_member_name
from .spans import check_member_spans

_T = TypeVar("_T")
#: Bytes :meth:`SafeZip.read` asks the decompressor for at a time (caps are checked after each).
READ_STEP = 4 << 20
_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")
_ALLOWED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_METHOD_NAMES = {
    1: "shrink",
    2: "reduce",
    3: "reduce",
    4: "reduce",
    5: "reduce",
    6: "implode",
    9: "Deflate64",
    10: "PKWARE DCL implode",
    12: "bzip2",
    14: "LZMA",
    18: "IBM TERSE",
    19: "IBM LZ77",
    93: "Zstandard",
    95: "XZ",
    96: "JPEG",
    97: "WavPack",
    98: "PPMd",
    99: "AES encryption",
}
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG_ENCRYPTION = 0x40
_FLAG_UTF8 = 0x800
# Exceptions zipfile and its decompressors raise on damaged input (§1.6 item 10).
_DAMAGE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    UnicodeDecodeError,
    ValueError,
    OverflowError,
    zlib.error,
    struct.error,
)


class SafeZip:
    """A zip stored on disk, opened for reading expected members only.

    Use as a context manager. Construction raises :class:`ArchiveError` for anything wrong with
    the content (see the module docstring) and ``OSError`` only when the stored file itself
    cannot be opened. Not thread-safe: the total budget is shared by all readers of one
    ``SafeZip``.
    """

    def __init__(
        self, path: str | os.PathLike[str], limits: ArchiveLimits = ArchiveLimits()
    ) -> None:
        self._limits = limits
        self._budget = TotalBudget(limits.max_total_bytes)
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._skipped: list[str] = []
        self._handle: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._zip: zipfile.ZipFile | None = None
        try:
            self._zip = self._open_checked()
            self._classify(self._zip.infolist())
        except BaseException:
            self.close()
            raise

    def _open_checked(self) -> zipfile.ZipFile:
        handle = self._handle
        size = os.fstat(handle.fileno()).st_size
        if not handle.read(4).startswith(_ZIP_STARTS):
            raise ArchiveError("not a zip file")
        directory = _guarded(lambda: check_central_directory(handle, size, self._limits))
        if directory.prepended:
            raise ArchiveError("invalid archive: central directory offset does not match")
        archive = _guarded(lambda: zipfile.ZipFile(handle))
        try:
            infos = archive.infolist()
            if len(infos) != directory.entries:
                raise ArchiveError("invalid archive: inconsistent central directory")
            _guarded(lambda: check_member_spans(handle, infos, directory.start))
        except BaseException:
            archive.close()
            raise
        return archive

    def _classify(self, infos: list[zipfile.ZipInfo]) -> None:
        for info in infos:
            kind = stat.S_IFMT(info.external_attr >> 16)
            if info.orig_filename.endswith("/") or kind == stat.S_IFDIR:
                continue  # directories carry nothing to read
            name = _lenient_name(info)
            if kind not in (0, stat.S_IFREG):
                self._skipped.append(name)  # symlinks, devices, fifos: never read (§1.6 item 3)
                continue
            _check_method(info, name)
            safe = safe_member_name(name, self._limits.max_name_bytes)
            if safe is None or is_junk(safe):
                self._skipped.append(name)
                continue
            if safe in self._members:
                raise ArchiveError(f"{display_name(safe)} appears twice")
            self._members[safe] = info

    # -- queries ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Safe, non-junk names of regular members, in archive order."""
        return list(self._members)

    def skipped_names(self) -> list[str]:
        """Names (decoded leniently) of unsafe, junk, symlink and other non-regular members."""
        return list(self._skipped)

    def __contains__(self, name: object) -> bool:
        return name in self._members

    def compressed_size(self, name: str) -> int:
        """Stored (compressed) size of a member, for progress estimates."""
        return self._info(name).compress_size

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self._members[name]
        except KeyError:
            raise KeyError(name) from None

    # -- reading ---------------------------------------------------------------------------

    def open(self, name: str, max_bytes: int | None = None) -> BinaryIO:
        """A streaming reader over member ``name`` (one of :meth:`names`; else ``KeyError``).

        Reading raises :class:`MemberTooLarge` past ``max_bytes`` (default
        ``limits.max_member_bytes``), :class:`ArchiveError` past the archive's total cap, past the
        compression-ratio cap, or on damaged data (bad CRC, truncation).
        """
        info = self._info(name)
        archive = self._require_open()
        inner = _guarded(lambda: archive.open(info), member=name)
        ratio = RatioGuard(
            f"member {display_name(name)}",
            lambda: info.compress_size,
            self._limits.max_ratio,
            self._limits.ratio_grace,
        )
        raw = CappedReader(
            inner,
            member=name,
            max_bytes=self._limits.max_member_bytes if max_bytes is None else max_bytes,
            hooks=(self._budget.charge, ratio.charge),
            translate=lambda exc: _damage(exc, name),
        )
        return capped_stream(raw)

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The whole member, through the same caps as :meth:`open`, checked every
        :data:`READ_STEP` bytes.

        Not through :meth:`open`'s buffered stream: reading a whole member there pulls 8 KiB at a
        time through two layers of Python and copies every byte twice more, which cost as much
        as the decompression itself. ``ZipExtFile.read(n)`` never produces more than ``n``
        bytes, so a bomb still stops at most one step past a cap.
        """
        info = self._info(name)
        archive = self._require_open()
        cap = self._limits.max_member_bytes if max_bytes is None else max_bytes
        ratio = RatioGuard(
            f"member {display_name(name)}",
            lambda: info.compress_size,
            self._limits.max_ratio,
            self._limits.ratio_grace,
        )
        parts: list[bytes] = []
        produced = 0
        with _guarded(lambda: archive.open(info), member=name) as inner:
            while True:
                try:
                    data = inner.read(min(READ_STEP, cap - produced + 1))
                except ArchiveError:
                    raise
                except Exception as exc:
                    raise _damage(exc, name) from exc
                if not data:
                    break
                produced += len(data)
                if produced > cap:
                    raise MemberTooLarge(
                        f"member {display_name(name)}: larger than {human_bytes(cap)}"
                    )
                self._budget.charge(len(data))
                ratio.charge(len(data))
                parts.append(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    # -- lifetime --------------------------------------------------------------------------

    def _require_open(self) -> zipfile.ZipFile:
        if self._zip is None:
            raise ValueError("SafeZip is closed")
        return self._zip

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        self._handle.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _lenient_name(info: zipfile.ZipInfo) -> str:
    """Decode a name for matching: UTF-8 when flagged or valid (Slack omits the flag), else cp437.

    ``zipfile`` already decoded unflagged names as cp437, which maps all 256 byte values, so
    re-encoding recovers the original bytes (importers.md §8).
    """
    if info.flag_bits & _FLAG_UTF8:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.orig_filename


def _check_method(info: zipfile.ZipInfo, name: str) -> None:
    if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
        raise ArchiveError(f"unsupported archive: member {display_name(name)} is encrypted")
    if info.compress_type not in _ALLOWED_METHODS:
        method = _METHOD_NAMES.get(info.compress_type, f"#{info.compress_type}")
        raise ArchiveError(f"unsupported archive: compression method {method}")


def _damage(exc: BaseException, member: str | None = None) -> ArchiveError:
    """Describe a parsing failure without leaking paths: zipfile's own messages are about content,
    I/O errors get a fixed sentence."""
    where = f"member {display_name(member)}: " if member is not None else ""
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        reason = "bad CRC-32"
    elif isinstance(exc, EOFError):
        reason = "truncated data"
    elif isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        reason = "read error"
    elif isinstance(exc, zipfile.BadZipFile | NotImplementedError):
        reason = display_name(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 200)
    else:
        reason = f"damaged data ({type(exc).__name__})"
    return ArchiveError(f"{where}invalid archive: {reason}")


def _guarded(action: Callable[[], _T], member: str | None = None) -> _T:
    try:
        return action()
    except ArchiveError:
        raise
    except _DAMAGE as exc:
        raise _damage(exc, member) from exc
