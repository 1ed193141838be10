"""The real fixtures: the zulip-test-export folder zipped, and the message samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chatport.imports.importers.slack import SlackExport

from .builder import FIXTURES, fixture_export, write_zip

SAMPLES = FIXTURES / "message-samples"


def test_zulip_export(tmp_path: Path) -> None:
    with SlackExport(fixture_export(tmp_path)) as export:
        assert export.namespace == "slack:T5YFFM2QY"
        users = list(export.users())
        channels = list(export.channels())
        assert export.count_messages() == 14
        out = [record for _p, _s, record in export.messages()]
        assert export.bot_users() == []
        assert export.skipped_members() == ["integration_logs.json"]
    assert [u.data["username"] for u in users] == ["k._", "rheaparekh12", "rishiweb_0", "showell30"]
    assert users[2].data["name"] == "Rishi \u0939\u093f\u0928\u094d\u0926\u0940 \u6c49\u8bed"
    assert users[1].data["utcOffset"] == 5.5
    assert all(not u.errors and u.skip_reason is None for u in users)
    assert [(c.data["t"], c.data.get("name")) for c in channels] == [
        ("c", "random"),
        ("c", "general"),
        ("c", "general1"),
        ("c", "sharedchannel"),
        ("d", "mpdm-user9--user2--user10-1"),
        ("d", "mpdm-user6--user7--user4-1"),
        ("d", "mpdm-user4--user1--user5-1"),
        ("d", None),
        ("d", None),
        ("d", None),
        ("d", None),
    ]
    assert channels[0].data["archived"] is True
    assert "topic" not in channels[3].data
    assert channels[10].data["users"] == ["U064KUGRJ"]  # the self-DM
    assert not any(record.errors for record in out)
    assert len(out) == 14
    assert [r.data.get("t") for r in out].count("uj") == 4
    share = next(r for r in out if r.data["_id"].endswith("-fileshare"))
    assert share.data["_id"] == "slack-C061A0WJG-1516457078-000065-fileshare"
    assert share.data["_hidden"] is True
    assert share.data["_importFile"]["name"] == "dirac72.md"
    assert "?t=" not in json.dumps(share.data["_importFile"]["original"])
    assert "?t=" in share.data["_importFile"]["downloadUrl"]
    channel_mentions = [r.data for r in out if r.data.get("mentions") == ["all"]]
    assert [m["msg"] for m in channel_mentions] == ["@all", "@all"]


def test_zulip_export_resumes(tmp_path: Path) -> None:
    with SlackExport(fixture_export(tmp_path)) as export:
        full = [(p, s, r.data) for p, s, r in export.messages()]
        assert [(p, s, r.data) for p, s, r in export.messages(1, 4)] == full[6:]


def load(name: str) -> list[dict[str, Any]]:
    value = json.loads((SAMPLES / name).read_text())
    return value if isinstance(value, list) else [value]


SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.json") if p.name != "users.json")


def sample_export(tmp_path: Path, name: str) -> Path:
    return write_zip(
        tmp_path / "samples.zip",
        {
            "users.json": json.loads((SAMPLES / "users.json").read_text()),
            "channels.json": [
                {"id": "C079A3FA12P", "name": "random", "members": ["U061A1R2R"]},
                {"id": "C06P6T3QGD7", "name": "general", "members": ["U061A1R2R"]},
            ],
            "random/2024-01-01.json": load(name),
        },
    )


def sample_records(tmp_path: Path, name: str) -> list[Any]:
    with SlackExport(sample_export(tmp_path, name)) as export:
        records = [record for _p, _s, record in export.messages()]
        assert export.count_messages() == len(records)
    return records


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_sample_maps_cleanly(tmp_path: Path, name: str) -> None:
    records = sample_records(tmp_path, name)
    assert records
    for record in records:
        assert not record.errors, (name, record.errors)
        assert record.data["rid"] == "C079A3FA12P"
        assert record.data["_id"].startswith("slack-C079A3FA12P-")


def test_sample_thread_parent_metadata(tmp_path: Path) -> None:
    parent, reply = sample_records(tmp_path, "thread_with_mention_syntax_in_topic_name.json")
    assert parent.data["msg"] == "@U061A1R2R please reply to this message"
    assert parent.data["mentions"] == ["U061A1R2R"]
    assert parent.data["replies"] == ["U061A1R2R"]
    assert parent.data["tcount"] == 1
    assert parent.data["tlm"] == 1776959526566
    assert reply.data["tmid"] == parent.data["_id"]


def test_sample_threads_with_early_replies(tmp_path: Path) -> None:
    records = sample_records(tmp_path, "normal_thread.json")
    assert records[1].data["tmid"] == records[0].data["_id"]
    assert records[3].data["tmid"] == records[2].data["_id"]
    assert records[3].data["ts"] < records[2].data["ts"]


def test_sample_broadcast_reply(tmp_path: Path) -> None:
    records = sample_records(tmp_path, "thread_with_broadcast_reply.json")
    assert records[2].data["tshow"] is True
    assert records[2].data["tmid"] == "slack-C079A3FA12P-1434139102-000002"
    assert "tshow" not in records[1].data


def test_sample_files_and_canvas(tmp_path: Path) -> None:
    records = sample_records(tmp_path, "message_with_variety_files_and_rich_text.json")
    base = records[0].data["_id"]
    assert [r.data["_id"] for r in records] == [base, base + "-file1", base + "-file2"]
    assert records[0].data["msg"] == "message with *files  @U074VRHQ11T* \nF07A32DC2GG"
    canvas = records[1].data["_importFile"]
    assert canvas["name"] == "Untitled"
    assert "token=" not in json.dumps(canvas["original"])
    assert records[2].data["_importFile"]["name"] == "channels.json"


def test_sample_file_without_id(tmp_path: Path) -> None:
    records = sample_records(tmp_path, "thread_with_file_link_formatting_in_topic_name.json")
    imported = records[1].data["_importFile"]
    assert imported["name"] == "apple.png"
    assert imported["size"] == 3000000
    assert "id" not in imported


def test_sample_join_and_mention(tmp_path: Path) -> None:
    join, text = sample_records(tmp_path, "normal_messages.json")
    assert join.data["t"] == "uj"
    assert text.data["msg"] == "@U061A5N1G: hey!"


def test_sample_emoji_and_workspace_mentions(tmp_path: Path) -> None:
    [emoji] = sample_records(tmp_path, "message_with_emojis.json")
    assert emoji.data["msg"].endswith(":basketball: :snowboarder: :checkered_flag:")
    [mentions] = sample_records(tmp_path, "message_with_workspace_mentions.json")
    assert mentions.data["msg"] == "@all _*@here*_ test mention"
    assert mentions.data["mentions"] == ["all", "here"]
