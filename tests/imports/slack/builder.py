"""Small real-shaped Slack exports, written as zips from dicts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from chatport.imports.importers.slack import ReaderRecord, SlackExport

FIXTURES = Path("/work/shared/fixtures/slack")

USERS: list[dict[str, Any]] = [
    {
        "id": "U1",
        "team_id": "T1",
        "name": "ann",
        "real_name": "Ann A",
        "tz_offset": 3600,
        "profile": {"real_name": "Ann Archer", "email": "ann@example.com", "title": "CTO"},
    },
    {"id": "U2", "team_id": "T1", "name": "bob", "profile": {"display_name": "Bobby"}},
    {
        "id": "U3",
        "team_id": "T1",
        "name": "deploybot",
        "is_bot": True,
        "profile": {"bot_id": "B3", "real_name": "Deploy Bot"},
    },
    {"id": "USLACKBOT", "team_id": "T1", "name": "slackbot", "profile": {}},
]

CHANNELS: list[dict[str, Any]] = [
    {
        "id": "C1",
        "name": "general",
        "is_general": True,
        "creator": "U1",
        "created": 1500000000,
        "members": ["U1", "U2"],
        "topic": {"value": "all &amp; sundry"},
        "purpose": {"value": "everything"},
    },
    {"id": "C2", "name": "random", "created": 1, "members": ["U2"]},
]

DAY = "general/2020-01-01.json"


def write_zip(path: Path, members: dict[str, Any]) -> Path:
    """Members: dict/list values are JSON-encoded, str and bytes are written as is."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in members.items():
            if isinstance(value, bytes):
                data = value
            elif isinstance(value, str):
                data = value.encode()
            else:
                data = json.dumps(value).encode()
            archive.writestr(name, data)
    return path


def export_zip(
    tmp_path: Path,
    messages: list[Any] | None = None,
    *,
    days: dict[str, Any] | None = None,
    users: list[Any] | None = None,
    channels: list[Any] | None = None,
    extra: dict[str, Any] | None = None,
    name: str = "export.zip",
) -> Path:
    members: dict[str, Any] = {
        "users.json": USERS if users is None else users,
        "channels.json": CHANNELS if channels is None else channels,
    }
    if messages is not None:
        members[DAY] = messages
    members.update(days or {})
    members.update(extra or {})
    return write_zip(tmp_path / name, members)


def all_messages(path: Path, **options: Any) -> list[ReaderRecord]:
    with SlackExport(path, **options) as export:
        return [record for _p, _i, record in export.messages()]


def one(tmp_path: Path, message: dict[str, Any], **options: Any) -> list[ReaderRecord]:
    """The records of a single message posted in #general."""
    element = {"type": "message", "ts": "1600000000.000100", "user": "U1", **message}
    return all_messages(export_zip(tmp_path, [element]), **options)


def fixture_export(tmp_path: Path) -> Path:
    """The zulip-test-export folder zipped, files at the root."""
    root = FIXTURES / "zulip-test-export"
    members = {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    return write_zip(tmp_path / "zulip.zip", members)
