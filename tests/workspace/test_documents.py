"""Document normalisation and rendering: instants, absent values, what the API never sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatport.workspace.documents import compact, render_nested_message, to_ms


def test_instants_from_every_form_converters_hold() -> None:
    expected = 1_503_435_956_000
    assert to_ms(expected) == expected
    assert to_ms(float(expected)) == expected
    assert to_ms(datetime(2017, 8, 22, 21, 5, 56, tzinfo=UTC)) == expected
    assert to_ms("2017-08-22T21:05:56.000Z") == expected
    assert to_ms("2017-08-22T21:05:56") == expected
    for wrong in (True, 1.5, None, "yesterday"):
        with pytest.raises((TypeError, ValueError)):
            to_ms(wrong)


def test_absent_values_are_dropped_but_dm_member_lists_kept() -> None:
    doc = {"a": None, "b": [], "c": {}, "d": 0, "e": False, "f": "", "usernames": []}
    assert compact(doc, ("usernames",)) == {"d": 0, "e": False, "f": "", "usernames": []}


def test_nested_last_message_never_carries_the_import_file() -> None:
    stored = {
        "_id": "m1",
        "rid": "R",
        "msg": "file",
        "ts": 0,
        "_importFile": {"url": "https://x/?token=secret"},
        "_updatedAt": 1,
    }
    assert render_nested_message(stored) == {
        "_id": "m1",
        "rid": "R",
        "msg": "file",
        "ts": "1970-01-01T00:00:00.000Z",
        "_updatedAt": "1970-01-01T00:00:00.001Z",
    }
