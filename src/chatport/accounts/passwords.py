"""Password hashing compatible with Rocket.Chat (Meteor accounts-password).

Meteor stores bcrypt over the lowercase hex SHA-256 of the password, which also lets clients
log in with a digest and sidesteps bcrypt's 72-byte limit.
"""

from __future__ import annotations

import hashlib

import bcrypt

_DUMMY_HASH = bcrypt.hashpw(b"0" * 64, bcrypt.gensalt(4))


def sha256_hex(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def hash_password(password: str, rounds: int = 10) -> str:
    return bcrypt.hashpw(sha256_hex(password).encode(), bcrypt.gensalt(rounds)).decode()


def verify_digest(digest: str, stored: str | None) -> bool:
    """Check a hex SHA-256 digest; with no stored hash still spend a bcrypt, so timing matches."""
    candidate = digest.lower().encode()
    if not stored:
        bcrypt.checkpw(candidate, _DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(candidate, stored.encode())
    except ValueError:
        return False
