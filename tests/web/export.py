"""The small Slack export the admin page imports: every kind of thing the room view renders."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from tests.imports.slack_fixtures import build_export

USERS = [
    {"id": "U1", "name": "ann", "profile": {"real_name": "Ann Archer", "email": "ann@example.com"}},
    {"id": "U2", "name": "bob", "profile": {"real_name": "Bob Baker", "email": "bob@example.com"}},
    {
        "id": "U3",
        "name": "carl",
        "deleted": True,
        "profile": {"real_name": "Carl Gone", "email": "carl@example.com"},
    },
    {"id": "U4", "name": "helper", "is_bot": True, "profile": {"real_name": "Helper Bot"}},
]
CHANNELS = [
    {
        "id": "C1",
        "name": "general",
        "is_general": True,
        "creator": "U1",
        "members": ["U1", "U2"],
        "created": 1500000000,
    },
    {
        "id": "C2",
        "name": "dev",
        "creator": "U2",
        "members": ["U1", "U2"],
        "created": 1500000000,
        "topic": {"value": "code and coffee"},
    },
    {"id": "C3", "name": "random", "creator": "U1", "members": ["U1"], "created": 1500000000},
]
DEV = [
    {
        "type": "message",
        "user": "U1",
        "text": "Shall we ship the importer?",
        "ts": "1600000000.000100",
        "reply_count": 2,
    },
    {
        "type": "message",
        "user": "U2",
        "text": "Yes, after the review",
        "ts": "1600000001.000200",
        "thread_ts": "1600000000.000100",
    },
    {
        "type": "message",
        "user": "U1",
        "text": "Review done",
        "ts": "1600000001.000300",
        "thread_ts": "1600000000.000100",
    },
    {
        "type": "message",
        "user": "U2",
        "text": "",
        "subtype": "channel_join",
        "ts": "1600000002.000000",
    },
    {
        "type": "message",
        "user": "U1",
        "text": "Nice work",
        "ts": "1600000003.000000",
        "reactions": [{"name": "+1", "users": ["U2"], "count": 1}],
    },
    {
        "type": "message",
        "user": "U2",
        "text": "Fixed the typo",
        "ts": "1600000004.000000",
        "edited": {"user": "U2", "ts": "1600000100.000000"},
    },
    {
        "type": "message",
        "user": "U1",
        "text": "The plan",
        "ts": "1600000005.000000",
        "attachments": [
            {
                "title": "Design document",
                "title_link": "https://example.com/design",
                "text": "Import in three phases",
            }
        ],
    },
]
GENERAL = [{"type": "message", "user": "U2", "text": "hello everyone", "ts": "1600000010.000000"}]
RANDOM = [{"type": "message", "user": "U1", "text": "random chatter", "ts": "1600000020.000000"}]
DMS = [{"id": "D1", "created": 1500000000, "members": ["U1", "U2"]}]
DM = [{"type": "message", "user": "U1", "text": "a private word", "ts": "1600000030.000000"}]
# A day file whose folder names no channel: its message fails on its own (an error record).
ORPHAN = [{"type": "message", "user": "U1", "text": "lost", "ts": "1600000040.000000"}]


MEMBERS: dict[str, Any] = {
    "users.json": USERS,
    "channels.json": CHANNELS,
    "dms.json": DMS,
    "dev/2020-09-13.json": DEV,
    "general/2020-09-13.json": GENERAL,
    "random/2020-09-13.json": RANDOM,
    "D1/2020-09-13.json": DM,
    "ghost/2020-09-13.json": ORPHAN,
}


def export() -> bytes:
    return build_export(MEMBERS)


def diagram() -> bytes:
    """A small PNG: a blue band on white, drawn row by row."""
    width, height = 48, 24
    rows = b"".join(
        b"\x00" + (b"\x1d\x5b\xd8" if 8 <= y < 16 else b"\xe4\xe8\xee") * width
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def export_with_files(pending_url: str) -> bytes:
    """The export plus two files in #general: one carried in the zip (``__uploads/``), shown at
    once, and one at ``pending_url``, waiting for Download pending files."""
    shared = {"type": "message", "user": "U2", "text": "", "ts": "1600000011.000000"}
    in_zip = {**shared, "files": [{"id": "F1", "name": "diagram.png", "size": 1}]}
    remote = {
        **shared,
        "ts": "1600000012.000000",
        "files": [
            {"id": "F2", "name": "notes.txt", "size": 1, "url_private_download": pending_url}
        ],
    }
    members = {**MEMBERS, "general/2020-09-13.json": GENERAL + [in_zip, remote]}
    return build_export(members, {"__uploads/F1/diagram.png": diagram()})
