"""Base64 decoding as lenient as Node's ``Buffer.from(s, 'base64')``.

The admin UI sends a data URL's payload; scripts send standard or URL-safe alphabets, with or
without padding. Characters outside the alphabet are ignored, decoding stops at padding.
"""

from __future__ import annotations

import base64
import re

_NOT_ALPHABET = re.compile(r"[^A-Za-z0-9+/\-_]")


def _clean(text: str) -> str:
    head = text.split("=", 1)[0]
    return _NOT_ALPHABET.sub("", head).replace("-", "+").replace("_", "/")


def decoded_length(text: str) -> int:
    """Size of the decoded bytes, computed without decoding (the size cap comes first)."""
    n = len(_clean(text))
    return n // 4 * 3 + max(0, (n % 4) - 1)


def decode_lenient(text: str) -> bytes:
    cleaned = _clean(text)
    if len(cleaned) % 4 == 1:  # one dangling character carries no whole byte
        cleaned = cleaned[:-1]
    return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
