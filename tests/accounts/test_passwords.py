"""Password hashing and the dummy bcrypt that keeps unknown users' timing equal (§1.10.3/4)."""

from __future__ import annotations

import hashlib
from typing import Any

import bcrypt
import pytest

from chatport.accounts import passwords


def test_hash_is_bcrypt_over_hex_sha256() -> None:
    stored = passwords.hash_password("pässword", rounds=4)
    assert stored.startswith("$2b$04$")
    hexdigest = hashlib.sha256("pässword".encode()).hexdigest()
    assert bcrypt.checkpw(hexdigest.encode(), stored.encode())
    assert passwords.verify_digest(hexdigest, stored, 4)
    assert passwords.verify_digest(hexdigest.upper(), stored, 4)
    assert not passwords.verify_digest(hashlib.sha256(b"other").hexdigest(), stored, 4)


def test_long_passwords_count_every_byte() -> None:
    long = "x" * 100
    stored = passwords.hash_password(long, rounds=4)
    assert passwords.verify_digest(passwords.sha256_hex(long), stored, 4)
    assert not passwords.verify_digest(passwords.sha256_hex(long[:72]), stored, 4)


@pytest.mark.parametrize("rounds", [4, 6])
def test_unknown_user_costs_the_configured_work_factor(
    monkeypatch: pytest.MonkeyPatch, rounds: int
) -> None:
    seen: list[bytes] = []
    real = bcrypt.checkpw

    def spy(candidate: bytes, hashed: bytes) -> Any:
        seen.append(hashed)
        return real(candidate, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", spy)
    assert not passwords.verify_digest("ab" * 32, None, rounds)
    assert seen and seen[0].startswith(f"$2b${rounds:02d}$".encode())


@pytest.mark.parametrize("digest", ["ab" * 100, "é" * 80, ""])
def test_odd_digests_never_raise(digest: str) -> None:
    stored = passwords.hash_password("pw", rounds=4)
    assert not passwords.verify_digest(digest, stored, 4)
    assert not passwords.verify_digest(digest, None, 4)
    assert not passwords.verify_digest(digest, "not a bcrypt hash", 4)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ab" * 32, True),
        ("AB" * 32, True),
        ("ab" * 31, False),
        ("ab" * 33, False),
        ("zz" * 32, False),
        ("ab" * 32 + "\n", False),
        ("", False),
    ],
)
def test_is_digest(value: str, expected: bool) -> None:
    assert passwords.is_digest(value) is expected
