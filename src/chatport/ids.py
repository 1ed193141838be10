"""Identifier formats Rocket.Chat clients expect."""

from __future__ import annotations

import secrets

_UNMISTAKABLE = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"


def random_id(length: int = 17) -> str:
    """Meteor's ``Random.id()``: 17 characters from the unmistakable alphabet."""
    return "".join(secrets.choice(_UNMISTAKABLE) for _ in range(length))


def object_id() -> str:
    """24 lowercase hex characters, as MongoDB ObjectIds render (import operations)."""
    return secrets.token_hex(12)


def login_token() -> str:
    """43 characters of ``[A-Za-z0-9_-]``: 256 random bits."""
    return secrets.token_urlsafe(32)
