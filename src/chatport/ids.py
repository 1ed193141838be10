"""Identifier formats Rocket.Chat clients expect."""

from __future__ import annotations

import secrets

_UNMISTAKABLE = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"


#: Random bytes below this map uniformly onto the alphabet (``b % 55``); the rest are dropped.
_UNBIASED_BELOW = 256 - 256 % len(_UNMISTAKABLE)


def random_id(length: int = 17) -> str:
    """Meteor's ``Random.id()``: 17 characters from the unmistakable alphabet.

    One system call for all the characters rather than one per character (imports make an id
    per subscription, thousands at a time), still uniform: bytes past the largest multiple of
    the alphabet's size are rejected, not folded.
    """
    chars: list[str] = []
    while len(chars) < length:
        for byte in secrets.token_bytes(length + 8):
            if byte < _UNBIASED_BELOW:
                chars.append(_UNMISTAKABLE[byte % len(_UNMISTAKABLE)])
                if len(chars) == length:
                    break
    return "".join(chars)


def object_id() -> str:
    """24 lowercase hex characters, as MongoDB ObjectIds render (import operations)."""
    return secrets.token_hex(12)


def login_token() -> str:
    """43 characters of ``[A-Za-z0-9_-]``: 256 random bits."""
    return secrets.token_urlsafe(32)
