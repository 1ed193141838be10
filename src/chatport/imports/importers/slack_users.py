"""Slack's "Export member list" CSV (importers §3): one user record per row.

A reader only: it yields user records and knows nothing of the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatport.archives.csvguard import iter_csv_rows
from chatport.archives.errors import ArchiveError
from chatport.archives.sniff import sniff_kind

MEMBER = "the member list"
GUEST_STATUSES = frozenset({"multi-channel guest", "single-channel guest"})


class NotMemberList(Exception):
    """The file is not a readable member list; the message is for the admin."""


@dataclass
class UserRecord:
    data: dict[str, Any]
    source: dict[str, Any]
    skip_reason: str | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)


def read_member_list(path: Path, guests: str = "guest") -> Iterator[UserRecord]:
    """Rows after the header, in file order; ``guests`` is ``guest``, ``user`` or ``skip``."""
    if sniff_kind(path) != "text":
        raise NotMemberList("not a CSV file")
    try:
        with open(path, "rb") as stream:
            for line, cells in iter_csv_rows(stream, MEMBER):
                if line == 1 or _is_header(cells):
                    continue
                yield _record(line, [c.strip() for c in cells], guests)
    except ArchiveError as exc:
        raise NotMemberList(str(exc)) from None


def _is_header(cells: list[str]) -> bool:
    return (
        bool(cells)
        and cells[0].strip().lower() == "username"
        and len(cells) > 1
        and (cells[1].strip().lower() == "email")
    )


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _record(line: int, cells: list[str], guests: str) -> UserRecord:
    username, email, status = _cell(cells, 0), _cell(cells, 1), _cell(cells, 2).lower()
    source = {"entry": MEMBER, "row": line}
    data: dict[str, Any] = {"importIds": [], "emails": [], "type": "user"}
    if username:
        data["username"] = username
    if email:
        data["emails"] = [email]
        data["importIds"].append(email)
    slack_id = _cell(cells, 6)
    if slack_id:
        data["importIds"].append(slack_id)
    name = _cell(cells, 7) or _cell(cells, 8) or username
    if name:
        data["name"] = name
    skip = None
    if status == "admin":
        data["roles"] = ["admin"]
    elif status == "bot":
        data["type"] = "bot"
        data["roles"] = ["bot"]
    elif status == "deactivated":
        data["deleted"] = True
    elif status in GUEST_STATUSES:
        if guests == "skip":
            skip = "importer-user-guest-skipped"
        elif guests == "guest":
            data["roles"] = ["guest"]
    if not email:
        skip = "importer-user-missing-email"
    return UserRecord(data, source, skip)
