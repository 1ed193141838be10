"""Every row of the subtype table (importers.md §2.6) and the author rules of §2.5."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatport.imports.importers.slack import SlackExport

from .builder import export_zip, one

MID = "slack-C1-1600000000-000100"
TS = 1600000000000


def main(tmp_path: Path, message: dict[str, Any]) -> dict[str, Any]:
    records = one(tmp_path, message)
    assert not records[0].errors, records[0].errors
    assert records[0].skip_reason is None
    return records[0].data


def test_plain_text(tmp_path: Path) -> None:
    data = main(tmp_path, {"text": "hello <@U2>"})
    assert data == {
        "_id": MID,
        "rid": "C1",
        "ts": TS,
        "u": {"_id": "U1"},
        "msg": "hello @U2",
        "mentions": ["U2"],
    }


def test_me_message(tmp_path: Path) -> None:
    assert main(tmp_path, {"subtype": "me_message", "text": "waves"})["msg"] == "_waves_"
    assert main(tmp_path, {"subtype": "me_message", "text": ""})["msg"] == ""


def test_thread_broadcast(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {
            "subtype": "thread_broadcast",
            "text": "see",
            "thread_ts": "1599999999.000001",
            "root": {"ts": "1599999999.000001", "text": "root"},
        },
    )
    assert data["tmid"] == "slack-C1-1599999999-000001"
    assert data["tshow"] is True
    assert "root" not in data


def test_thread_broadcast_with_root_only(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {"subtype": "thread_broadcast", "text": "x", "root": {"ts": "1599999999.000001"}},
    )
    assert data["tmid"] == "slack-C1-1599999999-000001"


@pytest.mark.parametrize("subtype", ["bot_message", "slackbot_response"])
def test_bot_subtypes_flag_bot(tmp_path: Path, subtype: str) -> None:
    data = main(tmp_path, {"subtype": subtype, "text": "beep"})
    assert data["bot"] is True
    assert data["u"] == {"_id": "U1"}


def test_bot_message_of_users_json_bot(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {
            "subtype": "bot_message",
            "user": None,
            "bot_id": "B3",
            "username": "Deploys",
            "icons": {"emoji": ":rocket:"},
            "text": "shipped",
        },
    )
    assert data["u"] == {"_id": "U3"}
    assert data["bot"] is True
    assert data["alias"] == "Deploys"
    assert data["emoji"] == ":rocket:"


def test_bot_message_of_users_json_bot_same_username_has_no_alias(tmp_path: Path) -> None:
    data = main(
        tmp_path, {"subtype": "bot_message", "user": None, "bot_id": "B3", "username": "deploybot"}
    )
    assert "alias" not in data


def test_synthetic_bot_from_bot_id(tmp_path: Path) -> None:
    messages = [
        {
            "type": "message",
            "subtype": "bot_message",
            "ts": "1600000000.000100",
            "bot_id": "B9",
            "username": "CI",
            "bot_profile": {
                "name": "Build Bot",
                "icons": {"image_72": "https://a.slack-edge.com/b.png"},
            },
            "text": "green",
        },
        {"type": "message", "subtype": "bot_message", "ts": "1600000001.0", "bot_id": "B9"},
    ]
    path = export_zip(tmp_path, messages)
    with SlackExport(path) as export:
        bots = export.bot_users()
        records = [record for _p, _i, record in export.messages()]
    assert [bot.data for bot in bots] == [
        {
            "importIds": ["B9"],
            "type": "bot",
            "roles": ["bot"],
            "emails": [],
            "username": "Build-Bot.bot",
            "name": "Build Bot",
            "avatarUrl": "https://a.slack-edge.com/b.png",
        }
    ]
    assert bots[0].source == {"entry": "general/2020-01-01.json", "index": 0}
    assert records[0].data["u"] == {"_id": "B9"}
    assert records[0].data["alias"] == "CI"
    assert records[1].data["u"] == {"_id": "B9"}
    assert "alias" not in records[1].data


def test_synthetic_bot_from_username_without_bot_id(tmp_path: Path) -> None:
    path = export_zip(
        tmp_path,
        [
            {
                "type": "message",
                "subtype": "bot_message",
                "ts": "1600000000.000100",
                "username": "Jenkins CI",
                "icons": {"image_72": "javascript:alert(1)"},
                "text": "build",
            }
        ],
    )
    with SlackExport(path) as export:
        bots = export.bot_users()
        record = next(export.messages())[2]
    assert record.data["u"] == {"_id": "bot-Jenkins-CI"}
    assert bots[0].data["username"] == "Jenkins-CI.bot"
    assert "avatarUrl" not in bots[0].data


def test_unidentified_bot_is_rocket_cat_with_warning(tmp_path: Path) -> None:
    records = one(tmp_path, {"subtype": "bot_message", "user": None, "text": "anon"})
    assert records[0].data["u"] == {"_id": "rocket.cat"}
    assert records[0].warnings == [{"message": "importer-message-bot-unidentified"}]


@pytest.mark.parametrize("author", ["USLACKBOT", "U00"])
def test_slackbot_and_placeholder_authors_are_rocket_cat(tmp_path: Path, author: str) -> None:
    data = main(tmp_path, {"user": author, "text": "reminder", "username": "slackbot"})
    assert data["u"] == {"_id": "rocket.cat"}
    assert data["alias"] == "slackbot"


@pytest.mark.parametrize(
    ("subtype", "field", "value", "t", "msg"),
    [
        ("channel_join", None, None, "uj", ""),
        ("group_join", None, None, "uj", ""),
        ("channel_leave", None, None, "ul", ""),
        ("group_leave", None, None, "ul", ""),
        ("channel_topic", "topic", "a &lt;b&gt; &amp; c", "room_changed_topic", "a <b> & c"),
        ("group_topic", "topic", "t", "room_changed_topic", "t"),
        ("channel_purpose", "purpose", "p &amp; q", "room_changed_description", "p & q"),
        ("group_purpose", "purpose", "p", "room_changed_description", "p"),
        ("channel_name", "name", "new-name", "r", "new-name"),
        ("group_name", "name", "secret", "r", "secret"),
    ],
)
def test_system_messages(
    tmp_path: Path, subtype: str, field: str | None, value: str | None, t: str, msg: str
) -> None:
    message: dict[str, Any] = {"subtype": subtype, "text": "<@U1> did something"}
    if field is not None:
        message[field] = value
    data = main(tmp_path, message)
    assert data["t"] == t
    assert data["msg"] == msg
    assert data["groupable"] is False
    assert "mentions" not in data


def test_pinned_item(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {
            "subtype": "pinned_item",
            "item_type": "C",
            "text": "<@U1> pinned a message to this channel.",
            "attachments": [
                {
                    "fallback": "x",
                    "text": "the &amp; pinned <@U2>",
                    "author_subname": "bob",
                    "channel_id": "C2",
                    "ts": "1599990000.000200",
                }
            ],
        },
    )
    assert data["t"] == "message_pinned"
    assert data["msg"] == ""
    assert data["groupable"] is False
    assert data["pinTarget"] == {"_id": "slack-C2-1599990000-000200"}
    assert data["attachments"] == [
        {"text": "the & pinned @U2", "author_name": "bob", "ts": 1599990000000}
    ]


def test_pinned_item_target_from_item(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {"subtype": "pinned_item", "item_type": "C", "item": {"ts": "1599990000.5"}},
    )
    assert data["pinTarget"] == {"_id": "slack-C1-1599990000-5"}
    assert data["attachments"] == [{"ts": 1599990000500}]


def test_pinned_file_has_no_target(tmp_path: Path) -> None:
    data = main(tmp_path, {"subtype": "pinned_item", "item_type": "F", "attachments": []})
    assert data["t"] == "message_pinned"
    assert "pinTarget" not in data


def test_unpinned_item_is_skipped_with_target(tmp_path: Path) -> None:
    records = one(
        tmp_path,
        {"subtype": "unpinned_item", "item_type": "C", "item": {"ts": "1599990000.000200"}},
    )
    assert records[0].skip_reason == "importer-message-subtype-ignored"
    assert records[0].skip_details == {"subtype": "unpinned_item"}
    assert records[0].data["pinTarget"] == {"_id": "slack-C1-1599990000-000200"}
    assert records[0].data["ts"] == TS


def test_file_share_keeps_text_and_adds_files(tmp_path: Path) -> None:
    records = one(
        tmp_path,
        {
            "subtype": "file_share",
            "text": "look",
            "files": [
                {
                    "id": "F1",
                    "name": "a.png",
                    "size": 10,
                    "url_private": "https://files.slack.com/a.png?t=xoxe-1",
                }
            ],
        },
    )
    assert [r.data["_id"] for r in records] == [MID, MID + "-file1"]
    assert records[0].data["msg"] == "look"


def test_file_comment(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {
            "subtype": "file_comment",
            "user": None,
            "text": "<@U2> commented on a file",
            "comment": {"user": "U2", "comment": "nice &amp; <@U1>"},
            "file": {"id": "F1", "url_private": "https://files.slack.com/x"},
        },
    )
    assert data["u"] == {"_id": "U2"}
    assert data["msg"] == "nice & @U1"
    assert data["mentions"] == ["U1"]


def test_file_comment_carries_no_file_message(tmp_path: Path) -> None:
    records = one(
        tmp_path,
        {
            "subtype": "file_comment",
            "comment": {"user": "U2", "comment": "c"},
            "file": {"id": "F1", "url_private": "https://files.slack.com/x"},
        },
    )
    assert len(records) == 1


def test_tombstone(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {
            "subtype": "tombstone",
            "user": "USLACKBOT",
            "text": "This message was deleted.",
            "thread_ts": "1600000000.000100",
            "reply_count": 2,
        },
    )
    assert data["msg"] == "This message was deleted."
    assert data["u"] == {"_id": "rocket.cat"}
    assert data["tcount"] == 2


def test_huddle_thread(tmp_path: Path) -> None:
    data = main(
        tmp_path,
        {
            "subtype": "huddle_thread",
            "user": "USLACKBOT",
            "text": "",
            "room": {
                "created_by": "U2",
                "name": "standup",
                "date_start": 1600000000,
                "date_end": 1600000600,
                "participant_history": ["U1", "U2", "U404"],
            },
        },
    )
    assert data["u"] == {"_id": "U2"}
    assert data["msg"] == (
        'Huddle "standup", started 2020-09-13 12:26 UTC, ended 2020-09-13 12:36 UTC, '
        "participants: @ann, @bob, @U404"
    )
    assert "mentions" not in data


def test_huddle_without_room_is_rocket_cat(tmp_path: Path) -> None:
    data = main(tmp_path, {"subtype": "huddle_thread", "user": "USLACKBOT", "room": {}})
    assert data["u"] == {"_id": "rocket.cat"}
    assert data["msg"] == "Huddle"


@pytest.mark.parametrize(
    "subtype",
    [
        "bot_add",
        "bot_remove",
        "file_mention",
        "message_changed",
        "message_deleted",
        "message_replied",
    ],
)
def test_ignored_subtypes(tmp_path: Path, subtype: str) -> None:
    records = one(tmp_path, {"subtype": subtype, "text": "x"})
    assert len(records) == 1
    assert records[0].skip_reason == "importer-message-subtype-ignored"
    assert records[0].skip_details == {"subtype": subtype}
    assert records[0].data["_id"] == MID


@pytest.mark.parametrize("subtype", ["channel_archive", "reminder_add", "sh_room_created"])
def test_other_subtype_with_text_and_author_is_text(tmp_path: Path, subtype: str) -> None:
    data = main(tmp_path, {"subtype": subtype, "text": "archived <#C2>"})
    assert data["msg"] == "archived #random"
    assert data["channels"] == ["random"]
    assert "t" not in data


@pytest.mark.parametrize(
    "message",
    [
        {"subtype": "channel_unarchive", "text": ""},
        {"subtype": "channel_convert_to_private", "text": "x", "user": None},
    ],
)
def test_other_subtype_without_text_or_author_is_skipped(
    tmp_path: Path, message: dict[str, Any]
) -> None:
    records = one(tmp_path, message)
    assert records[0].skip_reason == "importer-message-subtype-ignored"


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ({"type": "presence_change"}, "presence_change"),
        ({"hidden": True, "subtype": "message_changed"}, "message_changed"),
        ({"hidden": True}, "message"),
    ],
)
def test_dropped_types_and_hidden(tmp_path: Path, message: dict[str, Any], shown: str) -> None:
    records = one(tmp_path, message)
    assert records[0].skip_reason == "importer-message-subtype-ignored"
    assert records[0].skip_details == {"subtype": shown}


def test_missing_type_is_a_message(tmp_path: Path) -> None:
    records = one(tmp_path, {"type": None, "text": "hi"})
    assert records[0].data["msg"] == "hi"


def test_other_subtype_by_a_bot_known_only_by_username(tmp_path: Path) -> None:
    data = main(
        tmp_path, {"subtype": "reminder_add", "user": None, "username": "Remind", "text": "r"}
    )
    assert data["u"] == {"_id": "bot-Remind"}
