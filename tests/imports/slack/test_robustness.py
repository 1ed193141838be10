"""Any element, however malformed, gives records without raising, and ``count`` agrees."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chatport.imports.importers.slack.messages import MessageMapper
from chatport.imports.importers.slack.users import UserIndex

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["", "U1", "USLACKBOT", "C1", "1600000000.000100", "1599999999.5", "<@U1>", "x" * 40]
    ),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["id", "ts", "user", "name", "text", "users", "url_private", "mode"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
KEYS = [
    "type",
    "subtype",
    "ts",
    "user",
    "text",
    "bot_id",
    "username",
    "bot_profile",
    "thread_ts",
    "reply_count",
    "reply_users",
    "replies",
    "latest_reply",
    "edited",
    "reactions",
    "attachments",
    "files",
    "file",
    "item",
    "item_type",
    "comment",
    "room",
    "topic",
    "purpose",
    "name",
    "hidden",
    "pinned_to",
    "blocks",
    "icons",
    "root",
]
SUBTYPES = [
    None,
    "me_message",
    "thread_broadcast",
    "bot_message",
    "channel_join",
    "channel_topic",
    "pinned_item",
    "unpinned_item",
    "file_share",
    "file_comment",
    "tombstone",
    "huddle_thread",
    "message_changed",
    "channel_archive",
]
elements = st.one_of(
    values,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["message", "message", None, "other"]),
            "subtype": st.sampled_from(SUBTYPES),
            "ts": st.sampled_from(["1600000000.000100", 1600000000.25, "bad", None]),
        },
        optional={key: values for key in KEYS if key not in ("type", "subtype", "ts")},
    ),
)


def mapper(max_length: int = 0) -> MessageMapper:
    index = UserIndex()
    index.add({"id": "U3", "name": "bot", "is_bot": True, "profile": {"bot_id": "B3"}})
    return MessageMapper(index, {"C1": "general"}, {"F1": "__uploads/F1/a"}, max_length)


@settings(max_examples=400, deadline=None)
@given(elements, st.sampled_from([0, 5]))
def test_count_agrees_and_nothing_raises(element: Any, max_length: int) -> None:
    subject = mapper(max_length)
    records = subject.records(element, "general/2020-01-01.json", 0, "C1", "general")
    assert subject.count(element, "C1", None, "general/2020-01-01.json", 0) == len(records)
    counter = mapper(max_length)  # the counting pass: count and synthetic bots in one look
    assert counter.count_element(element, "C1", None, "general/2020-01-01.json", 0) == len(records)
    assert list(counter.synthetic_bots) == list(subject.synthetic_bots)
    assert records[0].data_type == "message"
    for record in records:
        assert None not in record.data.values()
        assert record.source["entry"] == "general/2020-01-01.json"
