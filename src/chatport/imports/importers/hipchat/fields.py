"""Field rules shared by every HipChat record: ids as strings, HipChat's timestamps.

HipChat writes ids as JSON numbers in some places (``owner``, ``members``, ``sender.id``) and
the same ids as strings in others (folder names); Rocket.Chat's importer compared them as they
came and so never matched an owner or a member (importers.md §5.2). Every id is turned into its
string form here, once, so that ``1`` and ``"1"`` are the same user.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from chatport.imports.importers.slack.records import ReaderRecord, problem

RECORD_INVALID = "importer-record-invalid"
INVALID_TIMESTAMP = "importer-message-invalid-timestamp"
SUBTYPE_IGNORED = "importer-message-subtype-ignored"
TEXT_INVALID_UNICODE = "importer-text-invalid-unicode"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# ``2018-11-01T10:38:25Z 135846``: an ISO instant, then optionally the microseconds.
_TIMESTAMP = re.compile(r"\s*(\S+)(?:\s+(\d{1,6}))?\s*")


def import_id(value: Any) -> str | None:
    """A HipChat id as an import id: integers and non-empty strings, as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def text(value: Any) -> str | None:
    """A non-empty string, else ``None`` (absent values are omitted from records)."""
    return value if isinstance(value, str) and value.strip() else None


def parse_timestamp(value: Any) -> int | None:
    """Milliseconds since the epoch; the trailing microseconds are truncated, not dropped.

    A value without time zone is UTC. ``None`` when the value is not a timestamp.
    """
    if not isinstance(value, str):
        return None
    found = _TIMESTAMP.fullmatch(value)
    if found is None:
        return None
    try:
        instant = datetime.fromisoformat(found.group(1))
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    try:
        delta = instant - _EPOCH
    except OverflowError:
        return None
    micro = int(found.group(2)) if found.group(2) else delta.microseconds
    return (delta.days * 86400 + delta.seconds) * 1000 + micro // 1000


def invalid(data_type: str, source: dict[str, Any], **details: Any) -> ReaderRecord:
    """A record that cannot be read: counted, listed as an error, never converted."""
    return ReaderRecord(data_type, {}, source, [problem(RECORD_INVALID, **details)])
