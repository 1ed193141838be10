"""Rocket.Chat's API rate limiter: N calls per window, per client IP and route.

In memory and per process, like Rocket.Chat's own limiter. Holders of
``api-bypass-rate-limit`` are exempt; TEST_MODE installs no limiter.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, calls: int, window_seconds: int):
        self.calls = calls
        self.window = window_seconds
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str], tuple[float, int]] = {}

    def hit(self, ip: str, route: str) -> tuple[bool, int, int, int]:
        """Count a call; answers (allowed, remaining, reset epoch ms, wait seconds)."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 100_000:
                self._hits = {k: v for k, v in self._hits.items() if now - v[0] < self.window}
            start, used = self._hits.get((ip, route), (now, 0))
            if now - start >= self.window:
                start, used = now, 0
            used += 1
            self._hits[(ip, route)] = (start, used)
        reset_in = self.window - (now - start)
        reset_ms = int((time.time() + reset_in) * 1000)
        return (
            used <= self.calls,
            max(0, self.calls - used),
            reset_ms,
            max(1, int(reset_in + 0.999)),
        )
