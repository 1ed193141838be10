"""Login token hashing as Meteor does it: only base64(sha256(token)) is ever stored."""

from __future__ import annotations

import base64
import hashlib


def hash_token(token: str) -> str:
    return base64.b64encode(hashlib.sha256(token.encode("utf-8")).digest()).decode()
