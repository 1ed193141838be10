"""The per-message shortcuts give exactly what the general rules give.

Each shortcut of the message path (the storage document built by the converter, Slack's own
``ts`` form, the flat part of a file object, text with nothing to convert) is checked against
the general rule it stands for, on generated input as well as on the edge cases.
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from chatport.imports.convert.lookups import RoomLookup, RoomRef, UserLookup
from chatport.imports.convert.messages import MessageConverter
from chatport.imports.convert.text import convert_mrkdwn
from chatport.imports.importers.slack.fields import ts_ms
from chatport.imports.importers.slack.message_files import strip_queries
from chatport.workspace.messages import encode, prepare
from chatport.workspace.subscriptions import Member

# -- the storage document ------------------------------------------------------------------


def _converter() -> MessageConverter:
    users = UserLookup("slack:T1")
    users.by_import_id.update(
        {
            "U1": Member("u-1", "alice", "Alice"),
            "U2": Member("u-2", "bob"),
            "rocket.cat": Member("rocket.cat", "rocket.cat", "Rocket.Cat"),
        }
    )
    rooms = RoomLookup("slack:T1")
    rooms.by_import_id.update({"C1": RoomRef("r-1", "general", "c"), "C2": RoomRef("", None, "c")})
    rooms.by_name["general"] = rooms.by_import_id["C1"]
    # Channel references here all resolve from the maps: no query reaches the connection.
    return MessageConverter(cast(Connection, None), users, rooms, {"C9"})


def _general_path(converter: MessageConverter, data: dict[str, Any]) -> Any:
    """What the import did before the converter built the stored form itself."""
    try:
        result = converter.convert(data)
    except Exception as exc:  # noqa: BLE001 - the very exception is the expectation
        return ("raises", type(exc), str(exc))
    if result.doc is None:
        return (None, result.errors, result.skip_reason)
    try:
        return encode(prepare(result.doc)), result.warnings
    except Exception as exc:  # noqa: BLE001
        return ("raises", type(exc), str(exc))


def _fast_path(converter: MessageConverter, data: dict[str, Any]) -> Any:
    try:
        row, _doc, problems = converter.convert_row(data)
    except Exception as exc:  # noqa: BLE001
        return ("raises", type(exc), str(exc))
    if row is None:
        skip = None if problems else "importer-message-room-not-selected"
        return (None, problems, skip)
    return row, problems


_field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**13), 10**13),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "slack-C1-1", "2020-09-13T12:30:00.000+00:00", "U1"]),
    st.lists(st.sampled_from(["U1", "U2", "U3", ""]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), max_size=2),
)
_records = st.fixed_dictionaries(
    {
        "_id": st.sampled_from(["slack-C1-1600000000-000100", "", 5]),
        "rid": st.sampled_from(["C1", "C2", "C9", "C404"]),
        "ts": st.one_of(
            st.integers(0, 2 * 10**12),
            st.floats(0, 2e12),
            st.sampled_from([True, "1", 2**53, 2**53 + 1, -(2**53) - 1, 10**400]),
        ),
        "u": st.sampled_from([{"_id": "U1"}, {"_id": "U2"}, {"_id": "U404"}, {}, "U1"]),
    },
    optional={
        "msg": st.sampled_from(["", "hi @U1 and #C1", "see https://example.com/a?b", 7]),
        "mentions": st.lists(st.sampled_from(["U1", "U2", "all", "here", "U404"]), max_size=3),
        "channels": st.lists(st.sampled_from(["C1", "general", 4]), max_size=2),
        "reactions": st.dictionaries(
            st.sampled_from([":+1:", ":tada:"]),
            st.fixed_dictionaries({"users": st.lists(st.sampled_from(["U1", "U2", "U9"]))}),
            max_size=2,
        ),
        "replies": st.lists(st.sampled_from(["U1", "U2", "U404"]), max_size=3),
        "editedBy": st.sampled_from(["U1", "U404"]),
        "t": _field_values,
        "groupable": _field_values,
        "alias": _field_values,
        "tmid": _field_values,
        "tcount": _field_values,
        "tlm": _field_values,
        "editedAt": _field_values,
        "attachments": _field_values,
        "pinned": _field_values,
        "_hidden": _field_values,
        "_importFile": _field_values,
    },
)


@settings(max_examples=600, deadline=None)
@given(_records)
def test_the_stored_form_is_what_prepare_and_encode_gave(data: dict[str, Any]) -> None:
    assert _fast_path(_converter(), data) == _general_path(_converter(), data)


def test_the_stored_json_keeps_the_document_order() -> None:
    data = {
        "_id": "slack-C1-1",
        "rid": "C1",
        "ts": 1600000000000,
        "u": {"_id": "U1"},
        "msg": "hi <@U2>",
        "reactions": {":+1:": {"users": ["U2"]}},
        "editedAt": 1600000000500,
        "attachments": [],
        "tmid": "slack-C1-0",
        "alias": "x",
    }
    row, _doc, warnings = _converter().convert_row(data)
    assert warnings == []
    assert row is not None
    assert row[6] == (
        '{"rid":"r-1","ts":1600000000000,"msg":"hi <@U2>","u":{"_id":"u-1","username":"alice",'
        '"name":"Alice"},"alias":"x","tmid":"slack-C1-0","editedAt":1600000000500,'
        '"reactions":{":+1:":{"usernames":["bob"]}}}'
    )
    assert row[:6] == ("slack-C1-1", "r-1", 1600000000000, "slack-C1-0", "u-1", False)


def test_a_shared_author_is_not_changed_through_a_document() -> None:
    converter = _converter()
    first = converter.convert({"_id": "a", "rid": "C1", "ts": 1, "u": {"_id": "U1"}})
    assert first.doc is not None
    first.doc["u"]["username"] = "changed"
    row, _doc, _warnings = converter.convert_row(
        {"_id": "b", "rid": "C1", "ts": 2, "u": {"_id": "U1"}}
    )
    assert row is not None and '"username":"alice"' in row[6]


# -- Slack's ts ----------------------------------------------------------------------------


def _ts_rule(text: str) -> int | None:
    """§2.6's rule as written: up to twelve digits, optionally a dot and digits."""
    if not re.fullmatch(r"\d{1,12}(?:\.\d*)?", text):
        return None
    head, _, fraction = text.partition(".")
    return int(head) * 1000 + int((fraction + "000")[:3])


@pytest.mark.parametrize(
    "text",
    [
        "1503435956.000247",
        "1503435956.00024x",
        "1503435956.000.47",
        "15034.5956.000247",
        "150343595..000247",
        "1503435956.-00247",
        "+503435956.000247",
        " 503435956.000247",
        "\u0661503435956.000247",
        "1503435956_000247",
    ],
)
def test_the_seventeen_character_form(text: str) -> None:
    assert ts_ms(text) == _ts_rule(text)


@given(st.text(alphabet="0123456789.\u0661 -x", min_size=0, max_size=20))
def test_ts_ms_is_the_rule(text: str) -> None:
    assert ts_ms(text) == _ts_rule(text)


# -- file objects --------------------------------------------------------------------------


def _strip_rule(value: Any, depth: int = 0) -> Any:
    """Every string's URL queries cut, containers copied; past depth 64 only strings stay."""
    if isinstance(value, str):
        return re.sub(r"(https?://[^\s?#\"'<>]*)\?[^\s#\"'<>]*", r"\1", value)
    if depth > 64:
        return None
    if isinstance(value, dict):
        return {key: _strip_rule(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_strip_rule(item, depth + 1) for item in value]
    return value


class _Text(str):
    pass


_file_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(["a", "https://h/x?t=1", "see https://h/y?z#f end", "?"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["url", "thumb", "n"]), children, max_size=3),
    ),
    max_leaves=10,
)


@given(_file_values)
def test_strip_queries_is_the_rule(value: Any) -> None:
    assert strip_queries(value) == _strip_rule(value)


@pytest.mark.parametrize("depth", [62, 63, 64, 65, 66])
def test_strip_queries_at_the_depth_limit(depth: int) -> None:
    value: Any = {"n": 1, "s": "https://h/x?t=1", "t": _Text("https://h/x?t=2"), "b": False}
    for _ in range(depth):
        value = {"inner": value, "n": 2}
    assert strip_queries(value) == _strip_rule(value)


# -- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["plain words", "a` b", "x > y", "émoji-free"])
def test_text_without_markup_is_returned_as_is(text: str) -> None:
    result = convert_mrkdwn(text)
    assert result.text is text
    assert (result.mentions, result.channels) == ([], [])
    assert type(result).__name__ == "Converted"
