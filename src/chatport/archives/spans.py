"""Reject zips whose members share bytes (David Fifield's overlapping bomb, CVE-2019-13232).

In an overlapping bomb many central-directory entries point into one compressed kernel, so a
small file inflates many times over. CPython only checks this from 3.11.8/3.12.2 (gh-109858); the
production interpreter may be 3.11.7, so chatport checks on every version: the spans
``[local header, end of compressed data)`` of all entries must be disjoint and must end before
the central directory (security-reliability.md §1.6 item 7).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from .errors import ArchiveError
from .names import display_name

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # one local file header
_LOCAL_SIG = b"PK\x03\x04"


def check_member_spans(
    handle: BinaryIO, members: Iterable[zipfile.ZipInfo], directory_start: int
) -> None:
    """Raise :class:`ArchiveError` unless every member's header and data stand alone."""
    spans: list[tuple[int, int, str]] = []
    for info in members:
        start = info.header_offset
        if start < 0 or start + _LOCAL.size > directory_start:
            raise ArchiveError(f"member {display_name(info.orig_filename)}: bad header offset")
        handle.seek(start)
        header = handle.read(_LOCAL.size)
        if len(header) != _LOCAL.size or not header.startswith(_LOCAL_SIG):
            raise ArchiveError(
                f"member {display_name(info.orig_filename)}: invalid archive: bad local header"
            )
        fields = _LOCAL.unpack(header)
        name_length, extra_length = fields[10], fields[11]
        end = start + _LOCAL.size + name_length + extra_length + info.compress_size
        if end > directory_start:
            raise ArchiveError(
                f"member {display_name(info.orig_filename)}: data runs into the central directory"
            )
        spans.append((start, end, info.orig_filename))
    spans.sort()
    for (_, previous_end, previous), (start, _, name) in zip(spans, spans[1:], strict=False):
        if start < previous_end:
            raise ArchiveError(
                f"invalid archive: members {display_name(previous)} and {display_name(name)} "
                "overlap (an overlapping zip bomb)"
            )
