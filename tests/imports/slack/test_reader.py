"""Layout, ordering, counting and exact resumption of the Slack reader (importers.md §2.1–§2.2)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from chatport.archives import ArchiveError
from chatport.imports.importers.slack import SlackExport, jsonread

from .builder import CHANNELS, USERS, export_zip, write_zip


def msg(ts: str, text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": "U1", "ts": ts, "text": text, **extra}


FILE = {"id": "F1", "name": "a", "url_private": "https://files.slack.com/a"}

VARIED_DAYS: dict[str, Any] = {
    "general/2020-01-02.json": [
        msg("1577923200.000001", "two <@U2>"),
        msg("1577923201.000001", files=[FILE, FILE, {"id": "F2", "mode": "tombstone"}]),
        {"type": "message", "subtype": "channel_join", "user": "U2", "ts": "1577923202.0"},
    ],
    "general/2020-01-01.json": [
        msg("1577836800.000001", "one"),
        {"type": "message", "subtype": "message_deleted", "ts": "1577836801.0"},
        "not an object",
        msg("bad-ts"),
        msg("1577836802.000001", file=FILE, subtype="file_share"),
        {"type": "message", "subtype": "bot_message", "bot_id": "B7", "ts": "1577836803.0"},
    ],
    "random/2020-01-01.json": [msg("1577836900.000001", "r")],
    "random/2020-01-03.json": b"[{broken",
    "nowhere/2020-01-01.json": [msg("1577836999.000001"), msg("1577837000.000001")],
    "D1/2020-01-01.json": [msg("1577836950.000001", "dm")],
    "general/2020-01-04.json": b'[{"type": "message", "ts": "1.1", "ts": "2.2"}, '
    b'{"type": "message", "user": "U1", "ts": "1578096000.000001", "text": "after"}]',
}


def varied(tmp_path: Path) -> Path:
    return export_zip(
        tmp_path,
        days=VARIED_DAYS,
        extra={
            "dms.json": [{"id": "D1", "members": ["U1", "U2"]}],
            "canvases.json": [],
            "integration_logs.json": [],
            "general/canvas/deep.json": [],
            "general/2020-1-1.json": [],
            "__MACOSX/general/._2020-01-01.json": b"junk",
            "general/.DS_Store": b"junk",
            "__uploads/F1/a": b"bytes",
        },
    )


def test_layout_and_order(tmp_path: Path) -> None:
    with SlackExport(varied(tmp_path)) as export:
        assert export.message_members() == [
            "D1/2020-01-01.json",
            "general/2020-01-01.json",
            "general/2020-01-02.json",
            "general/2020-01-04.json",
            "nowhere/2020-01-01.json",
            "random/2020-01-01.json",
            "random/2020-01-03.json",
        ]
        assert export.day_label(1) == "general/2020-01-01"
        assert sorted(export.skipped_members()) == [
            "canvases.json",
            "general/2020-1-1.json",
            "general/canvas/deep.json",
            "integration_logs.json",
        ]
        assert export.layout.uploads == {"F1": "__uploads/F1/a"}


def test_records_of_a_varied_export(tmp_path: Path) -> None:
    with SlackExport(varied(tmp_path)) as export:
        out = list(export.messages())
    summary = [
        (
            position,
            seq,
            record.data.get("_id"),
            record.skip_reason or (record.errors[0]["message"] if record.errors else None),
        )
        for position, seq, record in out
    ]
    assert summary == [
        (0, 0, "slack-D1-1577836950-000001", None),
        (1, 0, "slack-C1-1577836800-000001", None),
        (1, 1, "slack-C1-1577836801-0", "importer-message-subtype-ignored"),
        (1, 2, None, "importer-record-invalid"),
        (1, 3, None, "importer-message-invalid-timestamp"),
        (1, 4, "slack-C1-1577836802-000001", None),
        (1, 5, "slack-C1-1577836802-000001-fileshare", None),
        (1, 6, "slack-C1-1577836803-0", None),
        (2, 0, "slack-C1-1577923200-000001", None),
        (2, 1, "slack-C1-1577923201-000001", None),
        (2, 2, "slack-C1-1577923201-000001-file1", None),
        (2, 3, "slack-C1-1577923201-000001-file2", None),
        (2, 4, "slack-C1-1577923201-000001-file3", "importer-file-unavailable"),
        (2, 5, "slack-C1-1577923202-0", None),
        (3, 0, None, "importer-record-invalid"),
        (3, 1, "slack-C1-1578096000-000001", None),
        (4, 0, None, "importer-message-unknown-folder"),
        (4, 1, None, "importer-message-unknown-folder"),
        (5, 0, "slack-C2-1577836900-000001", None),
        (6, 0, None, "importer-entry-invalid"),
    ]
    by_seq = {(p, s): r for p, s, r in out}
    assert by_seq[(4, 0)].errors[0]["details"] == {"folder": "nowhere"}
    assert by_seq[(4, 1)].source == {"entry": "nowhere/2020-01-01.json", "index": 1}
    assert by_seq[(6, 0)].source == {"entry": "random/2020-01-03.json"}
    assert by_seq[(1, 6)].data["u"] == {"_id": "B7"}
    assert by_seq[(1, 2)].source == {"entry": "general/2020-01-01.json", "index": 2}
    assert "duplicate key" in by_seq[(3, 0)].errors[0]["details"]["reason"]


def test_count_matches_records_and_bots(tmp_path: Path) -> None:
    path = varied(tmp_path)
    with SlackExport(path) as export:
        assert export.count_messages() == 20
        assert [bot.data["importIds"] for bot in export.bot_users()] == [["B7"]]
    with SlackExport(path) as export:
        assert len(list(export.messages())) == 20


def test_resume_at_every_position(tmp_path: Path) -> None:
    path = varied(tmp_path)
    with SlackExport(path) as export:
        full = [(p, s, r.data, r.errors, r.skip_reason) for p, s, r in export.messages()]
        for cut, (position, seq, *_rest) in enumerate(full):
            resumed = [
                (p, s, r.data, r.errors, r.skip_reason)
                for p, s, r in export.messages(position, seq)
            ]
            assert resumed == full[cut:], (position, seq)
        # Past the end of a member: the next member follows.
        assert next(export.messages(0, 99))[:2] == (1, 0)
        assert list(export.messages(len(export.message_members()), 0)) == []
    with SlackExport(path) as export, pytest.raises(ValueError):
        next(export.messages(-1))


def test_deterministic_across_instances(tmp_path: Path) -> None:
    path = varied(tmp_path)
    runs = []
    for _ in range(2):
        with SlackExport(path) as export:
            runs.append([(p, s, r.data, r.source) for p, s, r in export.messages()])
    assert runs[0] == runs[1]


def test_streaming_path_gives_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = varied(tmp_path)
    with SlackExport(path) as export:
        whole = [(p, s, r.data, r.errors) for p, s, r in export.messages()]
        whole_count = export.count_messages()
    monkeypatch.setattr(jsonread, "WHOLE_MAX", 16)
    with SlackExport(path) as export:
        streamed = [(p, s, r.data, r.errors) for p, s, r in export.messages()]
        assert export.count_messages() == whole_count
    assert [(p, s, d) for p, s, d, _e in streamed] == [(p, s, d) for p, s, d, _e in whole]


def test_streamed_member_failing_midway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonread, "WHOLE_MAX", 16)
    raw = b'[{"type": "message", "user": "U1", "ts": "1.000001", "text": "a"}, {oops'
    path = export_zip(tmp_path, days={"general/2020-01-01.json": raw})
    with SlackExport(path) as export:
        out = list(export.messages())
        assert export.count_messages() == 2
    assert out[0][2].data["msg"] == "a"
    assert out[1][2].errors[0]["message"] == "importer-entry-invalid"


def test_folder_maps_by_name_then_import_id(tmp_path: Path) -> None:
    channels = [
        {"id": "C1", "name": "general"},
        {"id": "C2", "name": "C1"},  # a channel literally named like another's id
    ]
    path = export_zip(
        tmp_path,
        channels=channels,
        days={
            "C1/2020-01-01.json": [msg("1.000001")],
            "C2/2020-01-01.json": [msg("2.000001")],
        },
        extra={
            "mpims.json": [{"id": "G1", "name": "mpdm-a--b-1", "members": ["U1", "U2"]}],
            "mpdm-a--b-1/2020-01-01.json": [msg("3.000001")],
        },
    )
    with SlackExport(path) as export:
        rids = [r.data["rid"] for _p, _s, r in export.messages()]
    assert rids == ["C2", "C2", "G1"]


def test_wrapping_folder_is_the_root(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "wrapped.zip",
        {
            "My Export/users.json": USERS,
            "My Export/channels.json": CHANNELS,
            "My Export/general/2020-01-01.json": [msg("1.000001", "hi")],
        },
    )
    with SlackExport(path) as export:
        assert len(list(export.users())) == len(USERS)
        assert export.message_members() == ["My Export/general/2020-01-01.json"]
        assert export.day_label(0) == "general/2020-01-01"
        [(_p, _s, record)] = list(export.messages())
    assert record.data["rid"] == "C1"
    assert record.source["entry"] == "My Export/general/2020-01-01.json"


def test_lone_channel_folder_is_not_a_wrapper(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "lone.zip", {"general/2020-01-01.json": [msg("1.000001")]})
    with SlackExport(path) as export:
        assert export.message_members() == ["general/2020-01-01.json"]
        [(_p, _s, record)] = list(export.messages())
    assert record.errors[0]["message"] == "importer-message-unknown-folder"


def test_top_level_names_are_case_sensitive(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "case.zip", {"Users.json": USERS, "channels.json": CHANNELS})
    with SlackExport(path) as export:
        assert list(export.users()) == []
        assert "Users.json" in export.skipped_members()


def test_damaged_day_file_fails_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "damaged.zip"
    body = b'[{"type": "message", "user": "U1", "ts": "1.1", "text": "hello"}]'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("channels.json", b'[{"id": "C1", "name": "general"}]')
        archive.writestr("general/2020-01-01.json", body)
    raw = bytearray(path.read_bytes())
    at = raw.index(b"hello")
    raw[at] = ord("j")
    path.write_bytes(bytes(raw))
    with SlackExport(path) as export, pytest.raises(ArchiveError):
        list(export.messages())


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"plain text, not an archive")
    with pytest.raises(ArchiveError):
        SlackExport(path)


def test_bad_guest_mode(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        SlackExport(export_zip(tmp_path, []), guests="maybe")
