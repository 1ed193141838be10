"""Row-level rules of the CSV importer: timestamps, message ids, records."""

from __future__ import annotations

import hashlib
import re
from typing import Any

_PARSE_INT = re.compile(r"\s*([+-]?\d+)")
SEPARATOR = "\x1f"


def parse_millis(text: str) -> int | None:
    """JavaScript ``parseInt``: optional whitespace and sign, digits, anything after ignored."""
    found = _PARSE_INT.match(text)
    return int(found.group(1)) if found else None


def message_id(rid: str, author: str, ts: int, text: str, n: int) -> str:
    """``csv-`` + the first 24 hex digits of sha256(rid ␟ author ␟ ts ␟ text ␟ n) (§4.5)."""
    joined = SEPARATOR.join((rid, author, str(ts), text, str(n)))
    return "csv-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def dm_key(a: str, b: str) -> str:
    return "/".join(sorted((a, b)))


def problem(code: str, **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"message": code}
    if details:
        out["details"] = details
    return out
