"""Zip end-of-central-directory pre-check, done before ``zipfile.ZipFile`` is built.

``ZipFile`` reads the whole central directory into memory and builds one ``ZipInfo`` (~557 B) per
entry, looping on the directory's *byte size* and ignoring the declared entry count; a 100 MB file
can declare ~1.2M entries (~650 MB of RAM). So chatport finds the EOCD exactly as CPython 3.11's
``zipfile._EndRecData`` does, rejects oversized declarations, then walks the directory headers
itself (cheap: no objects) and rejects before ``ZipFile`` ever sees too many entries
(security-reliability.md §1.6 item 6).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from .errors import ArchiveError
from .limits import ArchiveLimits

_EOCD = struct.Struct("<4s4H2LH")  # signature, disk, cd disk, entries here, entries, size, offset
_EOCD_SIG = b"PK\x05\x06"
_LOCATOR = struct.Struct("<4sLQL")  # signature, cd disk, zip64 EOCD offset, disks
_LOCATOR_SIG = b"PK\x06\x07"
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # signature, size, versions, disks, entries, size, offset
_EOCD64_SIG = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # one central directory file header
_CENTRAL_SIG = b"PK\x01\x02"
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class CentralDirectory:
    """Where the central directory really is (after any prepended data) and what it holds."""

    start: int
    size: int
    entries: int
    #: Bytes before the offsets the archive declares: non-zero for a zip appended to something.
    prepended: int


def check_central_directory(
    handle: BinaryIO, file_size: int, limits: ArchiveLimits
) -> CentralDirectory:
    """Locate the central directory and enforce the entry and size caps on it.

    Raises :class:`ArchiveError` for a missing or inconsistent EOCD, a declared or real entry
    count over ``limits.max_entries``, or a directory over ``limits.max_central_directory_bytes``.
    """
    eocd_at, eocd = _find_eocd(handle, file_size)
    _, disk, cd_disk, here, declared, cd_size, cd_offset, _comment = eocd
    if disk != 0 or cd_disk != 0:
        raise ArchiveError("unsupported archive: spans multiple disks")
    zip64 = _read_zip64(handle, eocd_at)
    directory_end = eocd_at
    if zip64 is not None:
        declared64, cd_size, cd_offset = zip64
        declared = max(declared, here, declared64)
        directory_end = eocd_at - _LOCATOR.size - _EOCD64.size
    else:
        declared = max(declared, here)
    if declared > limits.max_entries:
        raise ArchiveError(f"too many entries: the archive declares {declared}")
    if cd_size > limits.max_central_directory_bytes:
        raise ArchiveError(f"central directory too large: {cd_size} bytes")
    start = directory_end - cd_size
    if start < 0 or cd_offset > start:
        raise ArchiveError("invalid archive: bad offset for central directory")
    entries = _count_entries(handle, start, cd_size, limits.max_entries)
    return CentralDirectory(start=start, size=cd_size, entries=entries, prepended=start - cd_offset)


def _find_eocd(handle: BinaryIO, file_size: int) -> tuple[int, tuple[int, ...]]:
    """Mirror ``zipfile._EndRecData``: the record at the very end, else the last signature."""
    if file_size < _EOCD.size:
        raise ArchiveError("not a zip file")
    handle.seek(file_size - _EOCD.size)
    tail = handle.read(_EOCD.size)
    if tail.startswith(_EOCD_SIG) and tail.endswith(b"\x00\x00"):
        return file_size - _EOCD.size, _EOCD.unpack(tail)
    window_start = max(file_size - _MAX_COMMENT - 1 - _EOCD.size, 0)
    handle.seek(window_start)
    window = handle.read()
    found = window.rfind(_EOCD_SIG)
    if found < 0 or len(window) - found < _EOCD.size:
        raise ArchiveError("not a zip file")
    return window_start + found, _EOCD.unpack_from(window, found)


def _read_zip64(handle: BinaryIO, eocd_at: int) -> tuple[int, int, int] | None:
    """Mirror ``zipfile._EndRecData64``: the locator and record sit right before the EOCD."""
    if eocd_at < _LOCATOR.size:
        return None
    handle.seek(eocd_at - _LOCATOR.size)
    locator = handle.read(_LOCATOR.size)
    signature, cd_disk, _offset, disks = _LOCATOR.unpack(locator)
    if signature != _LOCATOR_SIG:
        return None
    if cd_disk != 0 or disks > 1:
        raise ArchiveError("unsupported archive: spans multiple disks")
    record_at = eocd_at - _LOCATOR.size - _EOCD64.size
    if record_at < 0:
        return None
    handle.seek(record_at)
    record = _EOCD64.unpack(handle.read(_EOCD64.size))
    if record[0] != _EOCD64_SIG:
        return None
    here, total, cd_size, cd_offset = record[6:10]
    return max(here, total), cd_size, cd_offset


def _count_entries(handle: BinaryIO, start: int, size: int, max_entries: int) -> int:
    """Walk the directory headers as ``ZipFile`` will, counting them, without building objects."""
    handle.seek(start)
    directory = handle.read(size)
    if len(directory) != size:
        raise ArchiveError("invalid archive: truncated central directory")
    count = 0
    position = 0
    while position < size:
        if size - position < _CENTRAL.size:
            raise ArchiveError("invalid archive: truncated central directory")
        header = _CENTRAL.unpack_from(directory, position)
        if header[0] != _CENTRAL_SIG:
            raise ArchiveError("invalid archive: bad central directory entry")
        count += 1
        if count > max_entries:
            raise ArchiveError(f"too many entries: more than {max_entries}")
        name_length, extra_length, comment_length = header[12], header[13], header[14]
        position += _CENTRAL.size + name_length + extra_length + comment_length
    return count
