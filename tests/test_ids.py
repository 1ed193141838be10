"""Identifier formats: Meteor-style random ids are uniform over the unmistakable alphabet."""

from __future__ import annotations

import collections
from collections.abc import Iterator

import pytest

from chatport import ids


def test_random_ids_have_the_length_and_alphabet() -> None:
    made = [ids.random_id() for _ in range(2000)]
    assert all(len(i) == 17 for i in made)
    assert set("".join(made)) <= set(ids._UNMISTAKABLE)  # noqa: SLF001
    assert len(set(made)) == len(made)
    assert len(ids.random_id(40)) == 40


def test_random_ids_are_roughly_uniform() -> None:
    counts = collections.Counter("".join(ids.random_id() for _ in range(10_000)))
    expected = 170_000 / 55
    assert len(counts) == 55
    assert all(abs(n - expected) < 0.12 * expected for n in counts.values())


def test_bytes_past_the_last_full_alphabet_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """220..255 would favour the first 36 characters if folded with ``% 55``."""
    batches: Iterator[bytes] = iter([bytes([220, 255, 0, 54, 219]), bytes([1] * 40)])
    monkeypatch.setattr(ids.secrets, "token_bytes", lambda n: next(batches))
    assert ids.random_id(5) == "2zz3" + "3"
