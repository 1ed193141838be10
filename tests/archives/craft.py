"""Hand-written zip and tar structures for hostile-archive tests (nothing is downloaded).

Only what the tests need: local headers, central-directory headers, EOCD and ZIP64 records,
raw deflate streams, stored deflate blocks for Fifield's overlapping bomb, and raw tar headers.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

STORED = zipfile.ZIP_STORED
DEFLATED = zipfile.ZIP_DEFLATED
FLAG_UTF8 = 0x800


def deflate(data: bytes, level: int = 9) -> bytes:
    """A raw deflate stream (no zlib header), as zip stores it."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflate_zeros(count: int, chunk: int = 1 << 20) -> tuple[bytes, int]:
    """Raw deflate of ``count`` zero bytes and their CRC-32, without holding them all at once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(chunk)
    parts = []
    crc = 0
    left = count
    while left:
        piece = block[: min(chunk, left)]
        parts.append(compressor.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    parts.append(compressor.flush())
    return b"".join(parts), crc


@dataclass
class Entry:
    """One zip member as written: ``payload`` is the stored (possibly compressed) bytes."""

    name: bytes
    payload: bytes
    crc: int
    file_size: int
    method: int = DEFLATED
    flags: int = 0
    external_attr: int = 0

    @classmethod
    def of(cls, name: str | bytes, data: bytes, method: int = DEFLATED, flags: int = 0) -> Entry:
        raw = name.encode() if isinstance(name, str) else name
        payload = deflate(data) if method == DEFLATED else data
        return cls(raw, payload, zlib.crc32(data), len(data), method, flags)


def local_header(entry: Entry) -> bytes:
    return (
        struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            entry.flags,
            entry.method,
            0,
            0x21,
            entry.crc,
            len(entry.payload),
            entry.file_size,
            len(entry.name),
            0,
        )
        + entry.name
    )


def central_header(entry: Entry, offset: int) -> bytes:
    return (
        struct.pack(
            "<4s4B4HL2L5H2L",
            b"PK\x01\x02",
            20,
            3,
            20,
            0,
            entry.flags,
            entry.method,
            0,
            0x21,
            entry.crc,
            len(entry.payload),
            entry.file_size,
            len(entry.name),
            0,
            0,
            0,
            0,
            entry.external_attr,
            offset,
        )
        + entry.name
    )


def eocd(count: int, cd_size: int, cd_offset: int, comment: bytes = b"") -> bytes:
    return (
        struct.pack(
            "<4s4H2LH",
            b"PK\x05\x06",
            0,
            0,
            min(count, 0xFFFF),
            min(count, 0xFFFF),
            cd_size,
            cd_offset,
            len(comment),
        )
        + comment
    )


def zip64_end(count: int, cd_size: int, cd_offset: int, at: int) -> bytes:
    """ZIP64 EOCD record + locator + a classic EOCD deferring to them; ``at`` = where it goes."""
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, cd_size, cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    classic = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0
    )
    return record + locator + classic


def build_zip(entries: Iterable[Entry], comment: bytes = b"") -> bytes:
    """Members laid out one after another, then the central directory and the EOCD."""
    body = io.BytesIO()
    directory = io.BytesIO()
    count = 0
    for entry in entries:
        offset = body.tell()
        body.write(local_header(entry) + entry.payload)
        directory.write(central_header(entry, offset))
        count += 1
    cd = directory.getvalue()
    return body.getvalue() + cd + eocd(count, len(cd), body.tell(), comment)


def stored_block_header(length: int, final: bool = False) -> bytes:
    """A deflate stored-block header (byte aligned): it 'quotes' the next ``length`` bytes."""
    return struct.pack("<BHH", 1 if final else 0, length, length ^ 0xFFFF)


def fifield_quoted_overlap(files: int = 4, kernel_bytes: int = 1 << 20) -> tuple[bytes, bytes]:
    """David Fifield's overlapping zip bomb (quoted-overlap construction).

    Layout ``LH0 Q0 LH1 Q1 ... LH(n-1) K``: member i's compressed data runs from after its local
    header to the end of the shared kernel K; each stored-block header Q quotes the next local
    header, so member i inflates to ``LH(i+1) ... LH(n-1)`` followed by the kernel's output.
    Returns the zip and member 0's compressed data (for a sanity check with plain zlib).
    """
    kernel, _ = deflate_zeros(kernel_bytes)
    # Build from the last member backwards: each header depends on everything after it.
    tail = kernel  # member i's compressed data: from after its header to the end of K
    quoted = b""  # the plain bytes member i produces before the kernel's zeros
    entries: list[Entry] = []
    for index in reversed(range(files)):
        entry = Entry(
            f"{index}.txt".encode(),
            tail,
            _crc_of_prefix_then_zeros(quoted, kernel_bytes),
            len(quoted) + kernel_bytes,
        )
        entries.insert(0, entry)
        header = local_header(entry)
        quoted = header + quoted
        tail = stored_block_header(len(header)) + header + tail
    first = entries[0]
    blob = local_header(first) + first.payload
    directory = b""
    offset = 0
    for entry in entries:
        directory += central_header(entry, offset)
        offset += len(local_header(entry)) + 5  # the next header follows one Q block header
    return blob + directory + eocd(files, len(directory), len(blob)), first.payload


def _crc_of_prefix_then_zeros(prefix: bytes, zeros: int) -> int:
    crc = zlib.crc32(prefix)
    block = bytes(1 << 20)
    left = zeros
    while left:
        piece = block[: min(len(block), left)]
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    return crc


def tar_header(
    name: str, size: int, kind: bytes = tarfile.REGTYPE, fmt: Literal[0, 1, 2] = tarfile.GNU_FORMAT
) -> bytes:
    """One raw 512-byte tar header written by tarfile itself (any size, even negative)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    return info.tobuf(format=fmt)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


def tar_end() -> bytes:
    return bytes(1024)
