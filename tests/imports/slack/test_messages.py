"""Message fields (importers.md §2.5, §2.7, §2.9, §1.12): ids, times, threads, edits,
reactions, attachments, files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatport.imports.importers.slack import SlackExport

from .builder import all_messages, export_zip, one

MID = "slack-C1-1600000000-000100"


def data(tmp_path: Path, message: dict[str, Any]) -> dict[str, Any]:
    records = one(tmp_path, message)
    assert not records[0].errors, records[0].errors
    return records[0].data


# -- ids and times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ts", "mid", "ms"),
    [
        ("1503435956.000247", "slack-C1-1503435956-000247", 1503435956000),
        ("1503435956.999999", "slack-C1-1503435956-999999", 1503435956999),
        ("1503435956.5", "slack-C1-1503435956-5", 1503435956500),
        ("1503435956", "slack-C1-1503435956", 1503435956000),
        (1503435956.25, "slack-C1-1503435956-250000", 1503435956250),
        (1503435956, "slack-C1-1503435956-000000", 1503435956000),
        ("999999999.000100", "slack-C1-999999999-000100", 999999999000),
    ],
)
def test_ids_and_timestamps(tmp_path: Path, ts: Any, mid: str, ms: int) -> None:
    result = data(tmp_path, {"ts": ts, "text": "x"})
    assert result["_id"] == mid
    assert result["ts"] == ms


@pytest.mark.parametrize("ts", [None, "", "abc", "-1.0", "1.2.3", True, [1], "1e9"])
def test_invalid_timestamp(tmp_path: Path, ts: Any) -> None:
    records = one(tmp_path, {"ts": ts, "text": "x", "files": [{"id": "F1"}]})
    assert len(records) == 1
    assert records[0].errors == [{"message": "importer-message-invalid-timestamp"}]
    assert "_id" not in records[0].data


# -- text and references -------------------------------------------------------------------------


def test_mentions_and_channels_are_collected(tmp_path: Path) -> None:
    result = data(
        tmp_path,
        {"text": "<!here> <@U2|bob> and <@USLACKBOT> in <#C2> <#C1|general> <#C9>"},
    )
    assert result["msg"] == "@here @U2 and @rocket.cat in #random #general <#C9>"
    assert result["mentions"] == ["here", "U2", "rocket.cat"]
    assert result["channels"] == ["general", "random"]


def test_empty_and_missing_text(tmp_path: Path) -> None:
    assert data(tmp_path, {"text": ""})["msg"] == ""
    assert data(tmp_path, {})["msg"] == ""


def test_blocks_render_when_text_is_empty(tmp_path: Path) -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "user", "user_id": "U2"},
                        {"type": "text", "text": " hi"},
                    ],
                }
            ],
        }
    ]
    result = data(tmp_path, {"text": "", "blocks": blocks})
    assert result["msg"] == "@U2 hi"
    assert result["mentions"] == ["U2"]
    # A non-empty text stays authoritative.
    assert data(tmp_path, {"text": "typed", "blocks": blocks})["msg"] == "typed"


def test_integration_blocks_replace_a_text_equal_to_the_fallback(tmp_path: Path) -> None:
    result = data(
        tmp_path,
        {
            "subtype": "bot_message",
            "text": "Build passed",
            "attachments": [{"fallback": "Build passed", "color": "36a64f"}],
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Build"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "passed :+1:"}},
            ],
        },
    )
    assert result["msg"] == "*Build*\npassed :+1:"
    assert result["attachments"] == [{"text": "Build passed", "color": "#36a64f"}]


# -- threads -----------------------------------------------------------------------------------


def test_thread_parent_from_modern_metadata(tmp_path: Path) -> None:
    result = data(
        tmp_path,
        {
            "text": "parent",
            "thread_ts": "1600000000.000100",
            "reply_count": 3,
            "reply_users": ["U2", "USLACKBOT", "U2"],
            "reply_users_count": 2,
            "latest_reply": "1600000099.000900",
            "replies": [{"user": "U9", "ts": "1600000100.0"}],
        },
    )
    assert result["replies"] == ["U2", "rocket.cat"]
    assert result["tcount"] == 3
    assert result["tlm"] == 1600000099000
    assert "tmid" not in result


def test_thread_parent_from_legacy_replies(tmp_path: Path) -> None:
    result = data(
        tmp_path,
        {
            "text": "parent",
            "thread_ts": "1600000000.000100",
            "replies": [
                {"user": "U2", "ts": "1600000050.000001"},
                {"user": "U1", "ts": "1600000090.000001"},
                {"user": "U2", "ts": "1600000070.000001"},
            ],
        },
    )
    assert result["replies"] == ["U2", "U1"]
    assert result["tcount"] == 3
    assert result["tlm"] == 1600000090000


def test_thread_parent_without_replies_has_no_metadata(tmp_path: Path) -> None:
    result = data(tmp_path, {"text": "alone", "thread_ts": "1600000000.000100"})
    assert not {"replies", "tcount", "tlm", "tmid"} & set(result)


def test_thread_child(tmp_path: Path) -> None:
    result = data(tmp_path, {"text": "reply", "thread_ts": "1599999999.000001"})
    assert result["tmid"] == "slack-C1-1599999999-000001"
    assert "tshow" not in result


def test_invalid_thread_ts_is_a_record_error(tmp_path: Path) -> None:
    records = one(tmp_path, {"text": "reply", "thread_ts": "soon"})
    assert records[0].errors == [
        {"message": "importer-record-invalid", "details": {"field": "thread_ts"}}
    ]
    assert records[0].data["_id"] == MID


# -- edits, reactions, pins ----------------------------------------------------------------------


def test_edited(tmp_path: Path) -> None:
    result = data(tmp_path, {"text": "x", "edited": {"user": "U2", "ts": "1600000500.123456"}})
    assert result["editedAt"] == 1600000500123
    assert result["editedBy"] == "U2"
    result = data(tmp_path, {"text": "x", "edited": {"ts": "1600000500.5"}})
    assert result["editedAt"] == 1600000500500
    assert "editedBy" not in result


def test_reactions(tmp_path: Path) -> None:
    result = data(
        tmp_path,
        {
            "text": "x",
            "reactions": [
                {"name": "thumbsup", "users": ["U1", "U2"], "count": 2},
                {"name": "+1::skin-tone-2", "users": ["U2"], "count": 1},
                {"name": "simple_smile", "users": ["U1"], "count": 1},
                {"name": "smile", "users": ["U2", "U1"], "count": 2},
                {"name": "eyes", "users": [], "count": 0},
                {"name": "wave::skin-tone-6", "users": ["USLACKBOT"], "count": 1},
            ],
        },
    )
    assert result["reactions"] == {
        ":thumbsup:": {"name": ":thumbsup:", "users": ["U1", "U2"]},
        ":+1_tone1:": {"name": ":+1_tone1:", "users": ["U2"]},
        ":smile:": {"name": ":smile:", "users": ["U1", "U2"]},
        ":wave_tone5:": {"name": ":wave_tone5:", "users": ["rocket.cat"]},
    }


def test_reactions_with_no_users_are_omitted(tmp_path: Path) -> None:
    result = data(tmp_path, {"text": "x", "reactions": [{"name": "eyes", "users": []}]})
    assert "reactions" not in result


def test_pinned_to(tmp_path: Path) -> None:
    assert data(tmp_path, {"text": "x", "pinned_to": ["C1"]})["pinned"] is True
    assert "pinned" not in data(tmp_path, {"text": "x", "pinned_to": ["C2"]})


# -- legacy attachments --------------------------------------------------------------------------


def test_attachments_keep_only_known_fields(tmp_path: Path) -> None:
    result = data(
        tmp_path,
        {
            "text": "",
            "attachments": [
                {
                    "pretext": "Pre <@U2>",
                    "text": "Body &amp; more",
                    "fallback": "ignored",
                    "title": "T",
                    "title_link": "https://t",
                    "author_name": "A",
                    "author_link": "https://a",
                    "author_icon": "https://a/i.png",
                    "image_url": "https://i",
                    "thumb_url": "https://th",
                    "color": "ff0000",
                    "ts": "1600000000",
                    "fields": [{"title": "F", "value": "<https://v|v>", "short": True}],
                    "actions": [{"type": "button"}],
                    "callback_id": "x",
                    "mrkdwn_in": ["text"],
                },
                {"fallback": "Only fallback *x*", "color": "#00ff00", "ts": 1600000000},
                {"color": "good"},
            ],
        },
    )
    assert result["attachments"] == [
        {
            "text": "Pre @U2\nBody & more",
            "title": "T",
            "title_link": "https://t",
            "author_name": "A",
            "author_link": "https://a",
            "author_icon": "https://a/i.png",
            "image_url": "https://i",
            "thumb_url": "https://th",
            "color": "#ff0000",
            "ts": "1600000000",
            "fields": [{"title": "F", "value": "[v](https://v)", "short": True}],
        },
        {"text": "Only fallback *x*", "color": "#00ff00", "ts": 1600000000},
        {"color": "good"},
    ]
    assert "mentions" not in result


def test_invalid_attachment_is_a_record_error(tmp_path: Path) -> None:
    records = one(tmp_path, {"text": "x", "attachments": ["nope"]})
    assert records[0].errors == [
        {"message": "importer-record-invalid", "details": {"field": "attachments[0]"}}
    ]


# -- files -------------------------------------------------------------------------------------


def file_records(tmp_path: Path, message: dict[str, Any], **extra: Any) -> list[Any]:
    element = {"type": "message", "ts": "1600000000.000100", "user": "U1", **message}
    return all_messages(export_zip(tmp_path, [element], extra=extra or None))


def test_pending_file(tmp_path: Path) -> None:
    slack_file = {
        "id": "F1",
        "name": "report.pdf",
        "title": "Report",
        "size": 1234,
        "mimetype": "application/pdf",
        "url_private": "https://files.slack.com/files-pri/T1-F1/report.pdf?t=xoxe-secret",
        "url_private_download": (
            "https://files.slack.com/files-pri/T1-F1/download/report.pdf?t=xoxe-secret"
        ),
        "thumb_pdf": "https://files.slack.com/files-tmb/T1-F1/thumb.png?t=xoxe-secret&x=1",
        "permalink": "https://team.slack.com/files/U1/F1/report.pdf",
    }
    records = file_records(
        tmp_path,
        {
            "subtype": "file_share",
            "text": "here",
            "thread_ts": "1599999999.000001",
            "files": [slack_file],
        },
    )
    assert len(records) == 2
    message = records[1].data
    assert message["_id"] == MID + "-file1"
    assert message["rid"] == "C1"
    assert message["ts"] == 1600000000000
    assert message["u"] == {"_id": "U1"}
    assert message["tmid"] == "slack-C1-1599999999-000001"
    assert message["msg"] == ""
    assert message["_hidden"] is True
    imported = message["_importFile"]
    assert imported["downloadUrl"] == slack_file["url_private_download"]
    assert imported["id"] == "F1"
    assert imported["size"] == 1234
    assert imported["name"] == "report.pdf"
    assert imported["external"] is False
    assert imported["source"] == "slack"
    original = imported["original"]
    assert original["url_private"] == "https://files.slack.com/files-pri/T1-F1/report.pdf"
    assert original["thumb_pdf"] == "https://files.slack.com/files-tmb/T1-F1/thumb.png"
    assert "xoxe" not in repr(original)
    assert original["mimetype"] == "application/pdf"


def test_file_numbering_unavailable_and_external(tmp_path: Path) -> None:
    files = [
        {"id": "F1", "mode": "tombstone"},
        {"id": "F2", "mode": "hidden_by_limit", "url_private": "https://f/2"},
        {"id": "F3", "file_access": "access_denied", "url_private": "https://f/3"},
        {"id": "F4", "file_access": "file_not_found"},
        {"id": "F5", "name": ""},
        {
            "id": "F6",
            "is_external": True,
            "external_type": "gdrive",
            "title": "Doc",
            "url_private": "https://docs.google.com/d/1",
        },
        {"id": "F7", "mode": "external", "url_private": "https://dropbox.com/x"},
        {"id": "F8", "name": "", "title": "", "url_private": "https://files.slack.com/8"},
        "junk",
    ]
    records = file_records(tmp_path, {"text": "x", "files": files})
    assert [r.data["_id"] for r in records] == [MID] + [f"{MID}-file{n}" for n in range(1, 10)]
    skips = [(r.skip_reason, r.skip_details) for r in records[1:6]]
    assert skips == [
        ("importer-file-unavailable", {"reason": "tombstone"}),
        ("importer-file-unavailable", {"reason": "hidden_by_limit"}),
        ("importer-file-unavailable", {"reason": "access_denied"}),
        ("importer-file-unavailable", {"reason": "file_not_found"}),
        ("importer-file-unavailable", {"reason": "no-url"}),
    ]
    gdrive = records[6].data
    assert gdrive["msg"] == "https://docs.google.com/d/1"
    assert "_hidden" not in gdrive
    assert gdrive["_importFile"]["external"] is True
    assert gdrive["_importFile"]["name"] == "Doc"
    assert records[7].data["_importFile"]["external"] is True
    assert records[8].data["_importFile"]["name"] == "F8"
    assert records[9].errors == [
        {"message": "importer-record-invalid", "details": {"field": "files"}}
    ]


def test_legacy_file_and_duplicate(tmp_path: Path) -> None:
    legacy = {"id": "F1", "name": "a.txt", "url_private": "https://files.slack.com/a"}
    records = file_records(tmp_path, {"subtype": "file_share", "text": "x", "file": legacy})
    assert [r.data["_id"] for r in records] == [MID, MID + "-fileshare"]
    records = file_records(
        tmp_path, {"subtype": "file_share", "text": "x", "file": legacy, "files": [legacy]}
    )
    assert [r.data["_id"] for r in records] == [MID, MID + "-file1"]


def test_file_bytes_in_the_archive(tmp_path: Path) -> None:
    records = file_records(
        tmp_path,
        {"text": "x", "files": [{"id": "F1", "name": "a.png"}]},
        **{"__uploads/F1/a.png": b"\x89PNG"},
    )
    message = records[1].data
    assert records[1].skip_reason is None
    assert message["_importFile"]["archiveMember"] == "__uploads/F1/a.png"
    assert "downloadUrl" not in message["_importFile"]


def test_files_of_a_skipped_or_broken_message_are_not_produced(tmp_path: Path) -> None:
    files = [{"id": "F1", "url_private": "https://files.slack.com/a"}]
    assert len(file_records(tmp_path, {"subtype": "message_deleted", "files": files})) == 1
    assert len(file_records(tmp_path, {"hidden": True, "files": files})) == 1
    assert len(file_records(tmp_path, {"subtype": 5, "files": files})) == 1
    # A field error on the message itself keeps the files.
    records = file_records(tmp_path, {"text": 5, "files": files})
    assert records[0].errors[0]["details"] == {"field": "text"}
    assert records[1].data["_id"] == MID + "-file1"


# -- long messages (§8) ---------------------------------------------------------------------------


def test_long_messages_are_kept_whole_by_default(tmp_path: Path) -> None:
    assert data(tmp_path, {"text": "word " * 5000})["msg"] == ("word " * 5000)


def test_long_message_parts(tmp_path: Path) -> None:
    element = {
        "type": "message",
        "ts": "1600000000.000100",
        "user": "U1",
        "thread_ts": "1599999999.000001",
        "text": "first line <@U2>\nsecond line\nthird line",
        "reactions": [{"name": "eyes", "users": ["U2"]}],
        "files": [{"id": "F1", "url_private": "https://files.slack.com/a"}],
    }
    path = export_zip(tmp_path, [element])
    with SlackExport(path, max_message_length=16) as export:
        records = [r for _p, _s, r in export.messages()]
        assert export.count_messages() == len(records) == 4
        assert [r for _p, _s, r in export.messages(0, 2)] == records[2:]
    main, file_message, part2, part3 = (r.data for r in records)
    assert main["msg"] == "first line @U2"
    assert main["mentions"] == ["U2"]
    assert main["reactions"]
    assert file_message["_id"] == MID + "-file1"
    assert part2 == {
        "_id": MID + "-part2",
        "rid": "C1",
        "ts": 1600000000001,
        "u": {"_id": "U1"},
        "msg": "second line",
        "tmid": "slack-C1-1599999999-000001",
    }
    assert part3["_id"] == MID + "-part3"
    assert part3["ts"] == 1600000000002
    assert part3["msg"] == "third line"
