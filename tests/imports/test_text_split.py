"""Long-message splitting (importers.md §8)."""

from __future__ import annotations

import pytest

from chatport.imports.convert.text_split import split_text


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("short", 10, ["short"]),
        ("anything", 0, ["anything"]),
        ("aaaa bbbb\ncccc dddd", 12, ["aaaa bbbb", "cccc dddd"]),
        ("aaaa bbbb cccc", 10, ["aaaa bbbb", "cccc"]),
        ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
        # never inside a fence when the fence fits on its own
        ("intro text\n```\na b\n```\nend", 16, ["intro text", "```\na b\n```\nend"]),
        # ... unless the fence alone is longer than the limit
        ("```\nline1\nline2\nline3\n```", 10, ["```\nline1", "line2", "line3\n```"]),
        ("one\ntwo three four", 9, ["one", "two three", "four"]),
    ],
)
def test_split(text: str, limit: int, parts: list[str]) -> None:
    assert split_text(text, limit) == parts
    assert all(len(part) <= max(limit, len(text)) for part in parts)


def test_parts_never_exceed_the_limit() -> None:
    text = ("word " * 50 + "\n```\n" + "code line\n" * 30 + "```\n") * 20
    parts = split_text(text, 200)
    assert all(0 < len(part) <= 200 for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )
