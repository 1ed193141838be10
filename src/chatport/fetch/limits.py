"""The bounds every download runs under (security-reliability §1.5 and §2).

Why one frozen value: the same four axes (bytes, idle, total deadline, redirects) apply to every
fetch, archive, pending file or avatar alike; only the numbers differ per caller.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Byte cap counted on the wire; timeouts in seconds; ``deadline`` from the first request."""

    max_bytes: int = 1 << 30
    connect_timeout: float = 10.0
    header_timeout: float = 60.0
    idle_timeout: float = 60.0
    deadline: float = 1800.0
    max_redirects: int = 5
    redirect_body_max: int = 8192

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"Limits.{field.name} must be a non-negative number")
        for name in ("connect_timeout", "header_timeout", "idle_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limits.{name} must be positive")
