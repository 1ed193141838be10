"""Password hashing compatible with Rocket.Chat (Meteor accounts-password).

Meteor stores bcrypt over the lowercase hex SHA-256 of the password, which also lets clients
log in with a digest and sidesteps bcrypt's 72-byte limit.
"""

from __future__ import annotations

import functools
import hashlib
import re

import bcrypt

_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def sha256_hex(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def is_digest(value: str) -> bool:
    """A hex SHA-256 as clients send it (``{"digest": ..., "algorithm": "sha-256"}``)."""
    return _DIGEST.fullmatch(value) is not None


def hash_password(password: str, rounds: int = 10) -> str:
    return bcrypt.hashpw(sha256_hex(password).encode(), bcrypt.gensalt(rounds)).decode()


@functools.cache
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"0" * 64, bcrypt.gensalt(rounds))


def verify_digest(digest: str, stored: str | None, rounds: int = 10) -> bool:
    """Check a hex SHA-256 digest against a stored bcrypt hash.

    With no stored hash (unknown user, no password) a bcrypt of the same work factor is
    still spent, so the answer's timing does not tell whether the user exists.
    """
    candidate = digest.lower().encode()
    if not stored:
        bcrypt.checkpw(candidate[:72], _dummy_hash(rounds))
        return False
    try:
        return bcrypt.checkpw(candidate, stored.encode())
    except ValueError:
        return False
