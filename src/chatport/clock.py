"""Time as Rocket.Chat shows it: UTC instants with millisecond precision.

The clock is injectable (``Clock``) so lease expiry and the sweep can be tested without
sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


def iso_ms(ms: int) -> str:
    """``2023-08-11T20:08:37.655Z``: exactly three fractional digits, as Rocket.Chat sends."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso_ms(text: str) -> int:
    """The milliseconds :func:`iso_ms` wrote."""
    dt = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000 + 0.5)


def file_stamp(ms: int) -> str:
    """``YYYYMMDDhhmmss`` for stored import file names (1-based month, zero-padded)."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y%m%d%H%M%S")
