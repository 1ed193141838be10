"""``chatport inspect FILE``: what an export holds, before anything is imported.

Read-only: no operation is created and the database is not opened, so it can run beside an
import. Every byte is read through ``archives`` with its usual caps. It names the importer the
file is for (:mod:`~chatport.imports.format_sniff`), its folders (files and bytes), and for a
Slack export its users and channels with their ids: what ``chatport import --channels`` takes.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from typing import Any

from chatport.archives import SafeZip, iter_csv_rows, iter_json_array
from chatport.imports.format_sniff import NAMES, detect_importer

_SLACK_ROOMS = (
    ("channels.json", "c"),
    ("groups.json", "p"),
    ("mpims.json", "d"),
    ("dms.json", "d"),
)
_MAX_LISTED = 1000


def inspect_file(path: str) -> dict[str, Any]:
    """A summary of ``path``; raises ``OSError`` when it cannot be read, ``ArchiveError``
    when the archive itself is refused."""
    size = os.path.getsize(path)
    key = detect_importer(path)
    out: dict[str, Any] = {
        "file": os.path.basename(path),
        "bytes": size,
        "importer": key,
        "format": NAMES.get(key or "", "not recognised"),
    }
    if key in ("slack", "csv"):
        with SafeZip(path) as archive:
            out.update(_zip_summary(archive, key))
    elif key == "slack-users":
        with open(path, "rb") as handle:
            rows = sum(1 for _ in iter_csv_rows(handle, os.path.basename(path)))
        out["rows"] = max(0, rows - 1)  # the header
    return out


def _zip_summary(archive: SafeZip, key: str) -> dict[str, Any]:
    names = archive.names()
    folders: Counter[str] = Counter()
    for name in names:
        folders[name.split("/", 1)[0] + "/" if "/" in name else "(top level)"] += 1
    out: dict[str, Any] = {
        "members": len(names),
        "folders": [{"name": n, "files": c} for n, c in sorted(folders.items())],
    }
    if key == "slack":
        out["users"] = _count(archive, "users.json") or _count(archive, "org_users.json")
        out["channels"] = _slack_rooms(archive)
    return out


def _count(archive: SafeZip, member: str) -> int:
    if member not in archive:
        return 0
    with contextlib.closing(archive.open(member)) as stream:
        return sum(1 for _ in iter_json_array(stream, member))


def _slack_rooms(archive: SafeZip) -> list[dict[str, Any]]:
    rooms: list[dict[str, Any]] = []
    for member, t in _SLACK_ROOMS:
        if member not in archive:
            continue
        with contextlib.closing(archive.open(member)) as stream:
            for item in iter_json_array(stream, member):
                value = item.value
                if not isinstance(value, dict) or len(rooms) >= _MAX_LISTED:
                    continue
                members = value.get("members")
                rooms.append(
                    {
                        "id": str(value.get("id", "")),
                        "name": str(value.get("name") or ""),
                        "type": {"c": "public", "p": "private", "d": "direct"}[t],
                        "members": len(members) if isinstance(members, list) else 0,
                    }
                )
    return rooms
