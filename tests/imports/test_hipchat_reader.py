"""The HipChat reader on exports built here: records, de-duplication, resume positions.

The builders are shared with the HTTP tests (``test_hipchat_import.py``).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from chatport.archives import ArchiveError
from chatport.imports.importers.hipchat import HipChatExport
from chatport.imports.importers.hipchat.fields import parse_timestamp
from chatport.imports.importers.hipchat.jsonstream import (
    WHOLE_MAX,
    Element,
    MemberFailure,
    iter_elements,
)

pytestmark = pytest.mark.timeout(30)

AVATAR = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="


def _user(uid: int, mention: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"User": {"id": uid, "mention_name": mention, "name": name, **extra}}


def private(mid: str, sender: int, receiver: int, ts: str, message: str) -> dict[str, Any]:
    return {
        "PrivateUserMessage": {
            "id": mid,
            "sender": {"id": sender},
            "receiver": {"id": receiver},
            "message": message,
            "timestamp": ts,
        }
    }


P1 = private("p1", 1, 2, "2018-11-02T09:00:00Z 000000", "hi bob")
P2 = private("p2", 2, 1, "2018-11-02T09:01:00Z 250000", "<i>hi</i> ann")
P2["PrivateUserMessage"]["message_format"] = "html"
P3 = private("p3", 2, 3, "2018-11-03T00:00:00Z 000000", "/me nods")


def example_files() -> dict[str, Any]:
    """A small export with every kind of entry the importer reads (importers.md §5)."""
    half = len(AVATAR) // 2
    return {
        "users.json": [
            _user(
                1,
                "ann",
                "Ann Admin",
                email="ann@example.org",
                title="Boss",
                is_deleted=False,
                avatar=AVATAR[:half] + "\n" + AVATAR[half:],
            ),
            _user(2, "bob", "Bob Builder", email="bob@example.org", is_deleted=False),
            _user(3, "cy", "Cy Gone", email=None, is_deleted=True),
        ],
        "rooms.json": [
            {
                "Room": {
                    "id": 10,
                    "name": "Dev Room",
                    "owner": 1,
                    "members": [1, 2],
                    "participants": [],
                    "privacy": "public",
                    "topic": "shipping",
                    "created": "2016-04-11T16:42:47+00:00",
                    "is_archived": False,
                }
            },
            {
                "Room": {
                    "id": 11,
                    "name": "secret",
                    "owner": 2,
                    "members": [2, 3],
                    "privacy": "private",
                    "created": "2017-01-01T00:00:00Z",
                    "is_archived": True,
                }
            },
        ],
        "rooms/10/history.json": [
            {
                "UserMessage": {
                    "id": "m1",
                    "sender": {"id": 1},
                    "message": "hello @bob",
                    "timestamp": "2018-11-01T10:38:25Z 135846",
                }
            },
            {
                "UserMessage": {
                    "id": "m2",
                    "sender": {"id": 2},
                    "message_format": "html",
                    "message": "<b>bold</b> &amp; <script>alert(1)</script>"
                    '<a href="https://x.test/a">link</a>',
                    "timestamp": "2018-11-01T10:38:26Z 000999",
                }
            },
            {
                "UserMessage": {
                    "id": "m3",
                    "sender": {"id": 1},
                    "message": "/me waves",
                    "timestamp": "2018-11-01T10:38:27Z 500000",
                }
            },
            {
                "NotificationMessage": {
                    "id": "n1",
                    "sender": "Jenkins",
                    "color": "green",
                    "message": "<strong>Build</strong> passed",
                    "message_format": "html",
                    "timestamp": "2018-11-01T10:39:00Z 000000",
                }
            },
            {
                "TopicRoomMessage": {
                    "id": "t1",
                    "sender": {"id": 2},
                    "message": "new topic",
                    "timestamp": "2018-11-01T10:40:00Z 000000",
                }
            },
            {
                "UserMessage": {
                    "id": "f1",
                    "sender": {"id": 2},
                    "message": "spec.pdf",
                    "timestamp": "2018-11-01T10:41:00Z 000000",
                    "attachment": {
                        "url": "https://files.test/spec.pdf",
                        "name": "spec.pdf",
                        "size": 1234,
                    },
                    "attachment_path": "10/files/spec.pdf",
                }
            },
            {"ArchiveRoomMessage": {"id": "a1", "timestamp": "2018-11-01T10:42:00Z 000000"}},
        ],
        "rooms/11/history.json": [
            {
                "UserMessage": {
                    "id": "s1",
                    "sender": {"id": 3},
                    "message": "psst",
                    "timestamp": "2019-01-01T00:00:00Z 000000",
                }
            },
        ],
        "users/1/history.json": [P1, P2],
        "users/2/history.json": [P2, P1, P3],
        "users/3/history.json": [P3],
        "emoticons.json": [{"Emoticon": {"id": 1}}],
        "metadata.json": {"hipchat": "4.4"},
        "rooms/10/files/spec.pdf": b"%PDF-1.4 not read",
    }


def build_tar(files: dict[str, Any], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    """A .tar.gz of ``files`` (JSON values are serialised), plus raw special members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        directory = tarfile.TarInfo("rooms")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)
        for name, value in files.items():
            data = value if isinstance(value, bytes) else json.dumps(value).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra or []:
            archive.addfile(info)
    return gzip.compress(buffer.getvalue())


def special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def encrypt(data: bytes, password: str, md: str) -> bytes:
    """``openssl aes-256-cbc -salt -md <md>``, as HipChat's export tool runs it."""
    return subprocess.run(
        ["openssl", "enc", "-aes-256-cbc", "-salt", "-md", md, "-pass", "env:HIPCHAT_PASS"],
        input=data,
        capture_output=True,
        check=True,
        env={**os.environ, "HIPCHAT_PASS": password},
    ).stdout


def _export(tmp_path: Path, body: bytes, password: str | None = None) -> HipChatExport:
    path = tmp_path / "export.bin"
    path.write_bytes(body)
    return HipChatExport(path, password=password)


def test_timestamps_keep_milliseconds() -> None:
    assert parse_timestamp("2018-11-01T10:38:25Z 135846") == 1541068705135
    assert parse_timestamp("2018-11-01T10:38:25Z") == 1541068705000
    assert parse_timestamp("2018-11-01T11:38:25.5+01:00") == 1541068705500
    assert parse_timestamp("2016-04-11T16:42:47") == 1460392967000
    for bad in ("", "yesterday", "2018-13-01T00:00:00Z", "2018-11-01T10:38:25Z x", 5, None):
        assert parse_timestamp(bad) is None


def test_scan_records_and_counts(tmp_path: Path) -> None:
    scan = _export(tmp_path, build_tar(example_files())).scan()
    assert [r.data for r in scan.users] == [
        {
            "importIds": ["1"],
            "emails": ["ann@example.org"],
            "username": "ann",
            "name": "Ann Admin",
            "avatarUrl": "data:image/png;base64," + AVATAR,
            "bio": "Boss",
            "deleted": False,
            "type": "user",
        },
        {
            "importIds": ["2"],
            "emails": ["bob@example.org"],
            "username": "bob",
            "name": "Bob Builder",
            "deleted": False,
            "type": "user",
        },
        {
            "importIds": ["3"],
            "emails": [],
            "username": "cy",
            "name": "Cy Gone",
            "deleted": True,
            "type": "user",
        },
    ]
    assert [r.data for r in scan.channels] == [
        {
            "importIds": ["10"],
            "name": "Dev Room",
            "u": {"_id": "1"},
            "users": ["1", "2"],
            "t": "c",
            "topic": "shipping",
            "ts": 1460392967000,
            "archived": False,
        },
        {
            "importIds": ["11"],
            "name": "secret",
            "u": {"_id": "2"},
            "users": ["2", "3"],
            "t": "p",
            "ts": 1483228800000,
            "archived": True,
        },
        {"importIds": ["1-2"], "t": "d", "users": ["1", "2"], "ts": 1541149200000},
        {"importIds": ["2-3"], "t": "d", "users": ["2", "3"], "ts": 1541203200000},
    ]
    assert scan.messages == 7 + 1 + 3  # the private copies in the other user's file are not


def test_messages_and_resume_positions(tmp_path: Path) -> None:
    export = _export(tmp_path, build_tar(example_files()))
    everything = list(export.messages())
    assert [(m, i) for m, i, _ in everything] == [
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (0, 5),
        (0, 6),
        (1, 0),
        (2, 0),
        (2, 1),
        (3, 0),
    ]
    assert [export.day_label(m) for m in (0, 1, 2, 3)] == [
        "rooms/10/history.json",
        "rooms/11/history.json",
        "users/1/history.json",
        "users/2/history.json",
    ]
    by_id = {r.data.get("_id"): r for _, _, r in everything}
    assert by_id["hipchatenterprise-10-user-m2"].data["msg"] == "*bold* & [link](https://x.test/a)"
    assert by_id["hipchatenterprise-10-user-m3"].data["msg"] == "_waves_"
    assert by_id["hipchatenterprise-private-p3"].data == {
        "_id": "hipchatenterprise-private-p3",
        "rid": "2-3",
        "u": {"_id": "2"},
        "ts": 1541203200000,
        "msg": "_nods_",
    }
    skipped = everything[6][2]
    assert skipped.skip_reason == "importer-message-subtype-ignored"
    # The last member only holds a copy of p3 (from users/2): a resumed pass still knows it.
    assert list(export.messages(4, 0)) == []
    # Resuming after (2, 0) still drops the copies of p1 and p2 found in users/2.
    resumed = list(export.messages(2, 1))
    assert [(m, i, r.data["_id"]) for m, i, r in resumed] == [
        (2, 1, "hipchatenterprise-private-p2"),
        (3, 0, "hipchatenterprise-private-p3"),
    ]


def test_leading_folder_and_numeric_string_ids(tmp_path: Path) -> None:
    files = {
        "export/users.json": [_user(7, "zed", "Zed")],
        "export/rooms.json": [{"Room": {"id": "8", "name": "r", "owner": "7", "members": [7]}}],
        "export/rooms/8/history.json": [
            {
                "UserMessage": {
                    "id": 1,
                    "sender": {"id": "7"},
                    "message": "x",
                    "timestamp": "2018-01-01T00:00:00Z",
                }
            }
        ],
    }
    export = _export(tmp_path, build_tar(files))
    scan = export.scan()
    assert scan.channels[0].data["u"] == {"_id": "7"} and scan.channels[0].data["users"] == ["7"]
    [(_, _, record)] = list(export.messages())
    assert record.data["_id"] == "hipchatenterprise-8-user-1" and record.data["u"] == {"_id": "7"}


def test_broken_entries_are_records_with_errors(tmp_path: Path) -> None:
    files = {
        "users.json": [{"User": {"name": "no id"}}, {"Nope": {}}],
        "rooms/1/history.json": [
            {"UserMessage": {"id": "a", "sender": {"id": 1}, "timestamp": "never"}},
            {"UserMessage": {"id": "b", "timestamp": "2018-01-01T00:00:00Z"}},
            "not an entry",
        ],
        "rooms/2/history.json": b'[{"UserMessage": {"id": "c"}}, {"UserMessage": ',
    }
    export = _export(tmp_path, build_tar(files))
    scan = export.scan()
    assert [r.errors[0]["message"] for r in scan.users] == ["importer-record-invalid"] * 2
    records = [r for _, _, r in export.messages()]
    assert [(r.errors[0]["message"], r.source) for r in records] == [
        ("importer-message-invalid-timestamp", {"entry": "rooms/1/history.json", "index": 0}),
        ("importer-record-invalid", {"entry": "rooms/1/history.json", "index": 1}),
        ("importer-record-invalid", {"entry": "rooms/1/history.json", "index": 2}),
        ("importer-entry-invalid", {"entry": "rooms/2/history.json"}),
    ]
    assert scan.messages == 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([special("../evil.json", tarfile.REGTYPE)], "member ../evil.json: unsafe name"),
        (
            [special("rooms/2/history.json", tarfile.SYMTYPE, "/etc/passwd")],
            "member rooms/2/history.json: symbolic links are not allowed",
        ),
        (
            [special("users/9/history.json", tarfile.LNKTYPE, "users.json")],
            "member users/9/history.json: hard links are not allowed",
        ),
        ([special("fifo", tarfile.FIFOTYPE)], "member fifo: fifos are not allowed"),
    ],
)
def test_refused_members_fail_the_read(
    tmp_path: Path, extra: list[tarfile.TarInfo], message: str
) -> None:
    export = _export(tmp_path, build_tar(example_files(), extra))
    with pytest.raises(ArchiveError) as failure:
        export.scan()
    assert str(failure.value) == message


def test_truncated_gzip(tmp_path: Path) -> None:
    body = build_tar(example_files())
    with pytest.raises(ArchiveError, match="truncated"):
        _export(tmp_path, body[: len(body) - 40]).scan()


@pytest.mark.parametrize("md", ["md5", "sha256"])
def test_encrypted_export(tmp_path: Path, md: str) -> None:
    body = encrypt(build_tar(example_files()), "s3cret", md)
    assert body.startswith(b"Salted__")
    assert _export(tmp_path, body, "s3cret").scan().messages == 11
    with pytest.raises(ArchiveError, match="wrong password"):
        _export(tmp_path, body, "guess").scan()
    with pytest.raises(ArchiveError, match="hipchat_export_password"):
        _export(tmp_path, body)


def test_not_gzip(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not a tar.gz file"):
        _export(tmp_path, b"PK\x03\x04 zip")


def test_oversized_avatar_is_dropped_with_a_warning(tmp_path: Path) -> None:
    big = base64.b64encode(os.urandom(3 << 20) + b"1").decode()  # random: no ratio trip
    files = {"users.json": [_user(1, "ann", "Ann", avatar=big)]}
    [record] = _export(tmp_path, build_tar(files)).scan().users
    assert "avatarUrl" not in record.data and not record.errors
    assert record.warnings == [
        {
            "message": "importer-field-too-long",
            "details": {"field": "avatar", "limit": 4 << 20},
        }
    ]


def test_members_named_twice_are_refused(tmp_path: Path) -> None:
    files = {**example_files(), "export/rooms/10/history.json": []}
    with pytest.raises(ArchiveError, match="the same history as rooms/10/history.json"):
        _export(tmp_path, build_tar(files)).scan()
    files = {**example_files(), "export/users.json": []}
    with pytest.raises(ArchiveError, match="users.json appears twice"):
        _export(tmp_path, build_tar(files)).scan()


@pytest.mark.parametrize("whole_max", [WHOLE_MAX, 10])
def test_whole_and_streamed_parses_agree(whole_max: int) -> None:
    """Small members are parsed whole, large ones streamed; both yield the same elements."""
    entries = [{"UserMessage": {"id": n, "message": "é" * n}} for n in range(50)]
    body = json.dumps(entries).encode()
    items = list(iter_elements(io.BytesIO(body), "rooms/1/history.json", whole_max))
    assert [(e.index, e.value) for e in items if isinstance(e, Element)] == list(enumerate(entries))
    broken = list(iter_elements(io.BytesIO(body[:-30]), "rooms/1/history.json", whole_max))
    assert isinstance(broken[-1], MemberFailure)
    assert "rooms/1/history.json" in broken[-1].reason


def test_duplicate_keys_mark_only_their_entry() -> None:
    body = b'[{"UserMessage": {"id": 1}}, {"UserMessage": {"id": 2, "id": 3}}, {"X": {}}]'
    items = list(iter_elements(io.BytesIO(body), "rooms/1/history.json"))
    assert [isinstance(e, Element) and e.error is not None for e in items] == [False, True, False]
