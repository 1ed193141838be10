"""Which members of a Slack export are read, and as what (importers.md §2.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

USERS = "users.json"
ORG_USERS = "org_users.json"
CONVERSATION_FILES = ("channels.json", "groups.json", "mpims.json", "dms.json")
TOP_LEVEL = (USERS, ORG_USERS, *CONVERSATION_FILES)
UPLOADS = "__uploads"

_DAY_FILE = re.compile(r"([^/]+)/(\d{4}-\d{2}-\d{2})\.json")


@dataclass
class Layout:
    """Member names (full, as in the archive) by role; ``root`` is ``""`` or ``"<folder>/"``."""

    root: str = ""
    top_level: dict[str, str] = field(default_factory=dict)
    #: ``(member, folder)`` in member-name order.
    day_files: list[tuple[str, str]] = field(default_factory=list)
    #: Slack file id -> the member holding its bytes.
    uploads: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _root(names: list[str]) -> str:
    if any(name in TOP_LEVEL for name in names) or not names:
        return ""
    first = names[0].split("/", 1)[0]
    prefix = first + "/"
    if not all(name.startswith(prefix) for name in names):
        return ""
    # A lone channel folder (``general/2020-01-01.json``) is not a wrapper: the folder is a
    # root only if something inside it looks like an export.
    for name in names:
        relative = name[len(prefix) :]
        if relative in TOP_LEVEL or _DAY_FILE.fullmatch(relative):
            return prefix
    return ""


def scan_layout(names: list[str]) -> Layout:
    """Classify safe member names (``SafeZip.names()``): top-level files, day files, uploads.

    Top-level files are exact, case-sensitive names at the root; when none is at the archive's
    root and every member shares one top-level folder, that folder is the root. Day files are
    exactly ``<folder>/<YYYY-MM-DD>.json``; other members are skipped.
    """
    layout = Layout(root=_root(names))
    root = layout.root
    for name in sorted(names):
        relative = name[len(root) :] if root else name
        if relative in TOP_LEVEL:
            layout.top_level[relative] = name
            continue
        parts = relative.split("/")
        if parts[0] == UPLOADS:
            if len(parts) == 3 and parts[1] and parts[2] and parts[1] not in layout.uploads:
                layout.uploads[parts[1]] = name
            else:
                layout.skipped.append(name)
            continue
        day = _DAY_FILE.fullmatch(relative)
        if day is not None:
            layout.day_files.append((name, day.group(1)))
        else:
            layout.skipped.append(name)
    return layout
