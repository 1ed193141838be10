"""Resource caps applied to every archive chatport reads (security-reliability.md §2)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps for one archive; every value is configurable, the defaults are the spec's.

    Byte caps always apply to bytes actually produced by decompression, never to sizes declared
    in headers, because headers are attacker-controlled.
    """

    #: Entries in a zip central directory or members in a tar stream (skipped ones included).
    max_entries: int = 250_000
    #: Uncompressed bytes one member may produce when read whole.
    max_member_bytes: int = 256 << 20
    #: Suggested per-member cap for members parsed incrementally with ijson; callers pass it as
    #: ``max_bytes`` to :meth:`SafeZip.open`. Not applied automatically.
    max_streamed_member_bytes: int = 1 << 30
    #: Uncompressed bytes the whole archive may produce, across all readers.
    max_total_bytes: int = 8 << 30
    #: Output/input ratio above which decompression is treated as a bomb (Apache POI rule) ...
    max_ratio: float = 100.0
    #: ... once more than this many bytes have been produced.
    ratio_grace: int = 100 << 10
    #: Member name length in UTF-8 bytes (GNU ``L``/``K`` and pax ``path=`` included).
    max_name_bytes: int = 4096
    #: Size of the zip central directory; zipfile reads it whole into memory.
    max_central_directory_bytes: int = 64 << 20
    #: Size of one pax extended header: tarfile reads it whole and parses it in quadratic time
    #: on CPython < 3.11.10 (CVE-2024-6232), 16 KiB keeps that near 40 ms per header.
    max_pax_header_bytes: int = 16 << 10

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) <= 0:
                raise ValueError(f"ArchiveLimits.{field.name} must be positive")
