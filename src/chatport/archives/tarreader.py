"""Streaming reading of a tar.gz (HipChat exports) without ever extracting it.

The archive is read once, front to back (security-reliability.md §1.6 items 11–14): the gzip
layer is metered (total bytes produced and output/input ratio over the whole stream, concatenated
gzip members included); a guarded ``TarInfo`` subclass checks each header *before* tarfile reads
what it announces (GNU ``L``/``K`` names, pax headers, sparse maps); every member is then checked
for a safe name, a regular type and ``0 <= size <= cap`` before a byte of it is read. gzip itself is
decoded by :class:`gzip.GzipFile` and the tar layer by tarfile in ``r|`` stream mode, which is the
``r|gz`` pipeline with the decompressed byte count made visible.
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import BinaryIO, NoReturn, Self, TypeVar

from .counting import CHUNK, CappedReader, RatioGuard, TotalBudget, capped_stream, human_bytes
from .errors import ArchiveError, MemberTooLarge
from .limits import ArchiveLimits
from .names import display_name, is_junk, safe_member_name

_T = TypeVar("_T")
_GZIP_MAGIC = b"\x1f\x8b"
_LONG_NAME_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)
_PAX_TYPES = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)
#: Compressed bytes allowed beyond the bytes produced (see _CountingSource).
_IDLE_INPUT_SLACK = 1 << 20
#: Extended headers (pax, GNU L/K) allowed in front of one member; tarfile recurses per header.
_MAX_HEADER_CHAIN = 8


def _tarfile_error(name: str) -> type[Exception]:
    """tarfile's header exceptions are undocumented (and not in typeshed) but stable since 3.2."""
    error: type[Exception] = getattr(tarfile, name)
    return error


_END_OF_ARCHIVE = (_tarfile_error("EOFHeaderError"), _tarfile_error("EmptyHeaderError"))
_TRUNCATED_HEADER = _tarfile_error("TruncatedHeaderError")
_INVALID_HEADER = _tarfile_error("InvalidHeaderError")
# Exceptions tarfile raises on damaged input.
_DAMAGE = (
    tarfile.TarError,
    EOFError,
    OSError,
    zlib.error,
    struct.error,
    UnicodeError,
    ValueError,
    OverflowError,
    RecursionError,
)


def iter_tar_gz(
    source: str | os.PathLike[str] | BinaryIO,
    wanted: Callable[[str], bool],
    limits: ArchiveLimits = ArchiveLimits(),
    *,
    member_cap: Callable[[str], int] | None = None,
) -> Iterator[tuple[str, BinaryIO]]:
    """Yield ``(safe_name, reader)`` for each regular member whose safe name ``wanted`` accepts.

    ``source`` is a stored file path or a binary stream (for example a decrypted
    ``.tar.gz.aes``; it is not closed; ``OSError`` if the path cannot be opened). Each reader is
    valid only until the iteration moves on: the stream does not go back. ``member_cap`` gives
    a wanted member's byte cap by name (default ``limits.max_member_bytes``), e.g.
    ``limits.max_streamed_member_bytes`` for histories parsed with ijson.

    Raises :class:`ArchiveError` naming the member for an unsafe name, a link, device, fifo or
    sparse member, a negative size or a duplicated wanted name; :class:`MemberTooLarge` for a
    wanted member declared or read over its cap; and :class:`ArchiveError` for too many entries,
    an over-long name or pax header, input that is not gzip, truncated or damaged input, and
    output over the total or ratio caps.
    """
    with ExitStack() as stack:
        if isinstance(source, str | os.PathLike):
            handle: BinaryIO = stack.enter_context(open(source, "rb"))
        else:
            handle = source
        plain = _MeteredGzip(handle, limits)
        archive = _guarded(functools.partial(_open_stream, plain, limits))
        stack.callback(archive.close)
        seen: set[str] = set()
        entries = 0
        while True:
            info = _guarded(archive.next)
            if info is None:
                break
            _forget_members(archive)
            entries += 1
            if entries > limits.max_entries:
                raise ArchiveError(f"too many entries: more than {limits.max_entries}")
            name = _checked_name(info, limits)
            if name is None or is_junk(name) or not wanted(name):
                continue
            cap = limits.max_member_bytes if member_cap is None else member_cap(name)
            if info.size > cap:
                raise MemberTooLarge(f"member {display_name(name)}: larger than {human_bytes(cap)}")
            if name in seen:
                raise ArchiveError(f"{display_name(name)} appears twice")
            seen.add(name)
            inner = _guarded(functools.partial(archive.extractfile, info))
            if inner is None:  # pragma: no cover - regular members always have a file object
                raise ArchiveError(f"member {display_name(name)}: not a regular file")
            stream = capped_stream(
                CappedReader(
                    inner,
                    member=name,
                    max_bytes=cap,
                    translate=functools.partial(_damage, member=name),
                )
            )
            try:
                yield name, stream
            finally:
                stream.close()
        plain.drain()


def _forget_members(archive: tarfile.TarFile) -> None:
    """Stream mode still appends every TarInfo to ``TarFile.members`` (~0.5 KB each); nothing
    here needs them, so drop them to keep memory flat up to the entry cap."""
    members = getattr(archive, "members", None)
    if isinstance(members, list):
        members.clear()


def _open_stream(plain: _MeteredGzip, limits: ArchiveLimits) -> tarfile.TarFile:
    """tarfile in stream mode over the metered plain tar bytes; reads the first header."""
    return tarfile.open(fileobj=plain, mode="r|", tarinfo=_guarded_tarinfo(limits))


class _MeteredGzip(io.RawIOBase):
    """The decompressed tar stream, with total and ratio caps over the whole gzip input.

    Gzip errors are translated here so tarfile never turns them into vaguer messages.
    """

    def __init__(self, handle: BinaryIO, limits: ArchiveLimits) -> None:
        super().__init__()
        magic = handle.read(len(_GZIP_MAGIC))
        if magic != _GZIP_MAGIC:
            raise ArchiveError("not a gzip file")
        self._budget = TotalBudget(limits.max_total_bytes)
        self._source = _CountingSource(handle, magic, lambda: self._budget.produced)
        self._gzip = gzip.GzipFile(fileobj=self._source, mode="rb")
        self._ratio = RatioGuard(
            "the archive", lambda: self._source.consumed, limits.max_ratio, limits.ratio_grace
        )

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = CHUNK if size < 0 else min(size, CHUNK)
        try:
            data = self._gzip.read(size)
        except gzip.BadGzipFile as exc:
            raise ArchiveError(f"invalid archive: damaged gzip data ({_first_line(exc)})") from exc
        except EOFError as exc:
            raise ArchiveError("invalid archive: truncated gzip data") from exc
        except zlib.error as exc:
            raise ArchiveError("invalid archive: damaged compressed data") from exc
        except OSError as exc:
            raise ArchiveError("invalid archive: read error") from exc
        self._budget.charge(len(data))
        self._ratio.charge(len(data))
        return data

    def drain(self) -> None:
        """Read to the end so a damaged or truncated tail (gzip CRC, length) is still noticed."""
        while self.read(CHUNK):
            pass


class _CountingSource(io.RawIOBase):
    """The compressed input, counting bytes consumed (the ratio's denominator).

    It also refuses input that produces nothing: gzip's own overhead is tiny, so more than
    :data:`_IDLE_INPUT_SLACK` bytes (plus 1 % of the output) consumed beyond what was produced
    means giant gzip header fields (read a byte at a time by ``gzip``) or endless empty members.
    """

    def __init__(self, handle: BinaryIO, prefix: bytes, produced: Callable[[], int]) -> None:
        super().__init__()
        self._handle = handle
        self._prefix = prefix
        self._produced = produced
        self.consumed = len(prefix)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        head = b""
        if self._prefix:  # the magic bytes already read by the sniff
            if 0 <= size < len(self._prefix):
                head, self._prefix = self._prefix[:size], self._prefix[size:]
                return head
            head, self._prefix = self._prefix, b""
            size = size - len(head) if size >= 0 else size
        data = self._handle.read(size) if size else b""
        self.consumed += len(data)
        produced = self._produced()
        if self.consumed > produced + _IDLE_INPUT_SLACK + produced // 100:
            raise ArchiveError("invalid archive: gzip input that produces no data")
        return head + data


def _guarded_tarinfo(limits: ArchiveLimits) -> type[tarfile.TarInfo]:
    """A TarInfo class that checks each header before tarfile reads the data it announces."""

    class GuardedTarInfo(tarfile.TarInfo):
        chain = 0

        @classmethod
        def fromtarfile(cls, archive: tarfile.TarFile) -> Self:
            cls.chain += 1
            try:
                if cls.chain > _MAX_HEADER_CHAIN:
                    raise ArchiveError("invalid archive: too many extended headers in a row")
                return super().fromtarfile(archive)
            except _END_OF_ARCHIVE:
                raise  # tarfile decides what an empty or zero block means
            except _TRUNCATED_HEADER as exc:
                raise ArchiveError("invalid archive: truncated tar data") from exc
            except _INVALID_HEADER as exc:
                raise ArchiveError(f"invalid archive: damaged tar header ({exc})") from exc
            finally:
                cls.chain -= 1

        @classmethod
        def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> Self:
            info = super().frombuf(buf, encoding, errors)
            _check_header(info, limits)
            return info

        # pax-announced GNU sparse maps are read by these tarfile hooks: refuse before reading.
        def _proc_gnusparse_00(self, *args: object) -> NoReturn:
            raise _sparse(args[0])

        def _proc_gnusparse_01(self, *args: object) -> NoReturn:
            raise _sparse(args[0])

        def _proc_gnusparse_10(self, *args: object) -> NoReturn:
            raise _sparse(args[0])

    return GuardedTarInfo


def _check_header(info: tarfile.TarInfo, limits: ArchiveLimits) -> None:
    """Checks on a raw header, before tarfile consumes what follows it."""
    if info.size < 0:
        raise ArchiveError(f"member {_shown(info.name)}: negative size")
    if info.type in _LONG_NAME_TYPES and not 0 <= info.size <= limits.max_name_bytes + 1:
        raise ArchiveError(
            f"invalid archive: member name longer than {limits.max_name_bytes} bytes"
        )
    if info.type in _PAX_TYPES and not 0 <= info.size <= limits.max_pax_header_bytes:
        raise ArchiveError(
            "invalid archive: extended header larger than "
            f"{human_bytes(limits.max_pax_header_bytes)}"
        )
    if info.type == tarfile.GNUTYPE_SPARSE:
        raise _sparse(info)


def _checked_name(info: tarfile.TarInfo, limits: ArchiveLimits) -> str | None:
    """The member's safe name, ``None`` for a directory; raises for anything unacceptable."""
    raw = _name_bytes(info.name)
    shown = _shown(info.name)
    if len(raw) > limits.max_name_bytes:
        raise ArchiveError(f"member {shown}: name longer than {limits.max_name_bytes} bytes")
    lenient = raw.decode("utf-8", "replace")
    if info.isdir() and _is_root(lenient):
        return None  # "./", as written by ``tar -C dir .``
    safe = safe_member_name(lenient, limits.max_name_bytes)
    if safe is None:
        raise ArchiveError(f"member {shown}: unsafe name")
    problem = _type_problem(info)
    if problem is not None:
        raise ArchiveError(f"member {shown}: {problem}")
    if info.size < 0:
        raise ArchiveError(f"member {shown}: negative size")
    return None if info.isdir() else safe


def _is_root(name: str) -> bool:
    return bool(name) and not name.startswith("/") and set(name.split("/")) <= {"", "."}


def _type_problem(info: tarfile.TarInfo) -> str | None:
    if info.issym():
        return "symbolic links are not allowed"
    if info.islnk():
        return "hard links are not allowed"
    if info.ischr() or info.isblk():
        return "device files are not allowed"
    if info.isfifo():
        return "fifos are not allowed"
    if info.issparse():
        return "sparse files are not supported"
    if info.isdir() or info.isreg():
        return None
    return f"unsupported member type {info.type!r}"


def _sparse(info: object) -> ArchiveError:
    name = info.name if isinstance(info, tarfile.TarInfo) else "?"
    return ArchiveError(f"member {_shown(name)}: sparse files are not supported")


def _name_bytes(name: str) -> bytes:
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def _shown(name: str) -> str:
    return display_name(_name_bytes(name).decode("utf-8", "replace"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return display_name(text, 200)


def _damage(exc: BaseException, member: str | None = None) -> ArchiveError:
    where = f"member {display_name(member)}: " if member is not None else ""
    if isinstance(exc, EOFError):
        reason = "truncated data"
    elif isinstance(exc, tarfile.TarError):
        reason = _first_line(exc)
    elif isinstance(exc, OSError):
        reason = "read error"
    else:
        reason = f"damaged data ({type(exc).__name__})"
    return ArchiveError(f"{where}invalid archive: {reason}")


def _guarded(action: Callable[[], _T]) -> _T:
    try:
        return action()
    except ArchiveError:
        raise
    except _DAMAGE as exc:
        raise _damage(exc) from exc
