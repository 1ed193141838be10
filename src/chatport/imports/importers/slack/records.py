"""What the Slack reader produces: records in Rocket.Chat's IImport* shapes (importers.md §1.2).

Records carry import ids (Slack ids, ``rocket.cat``), never database ids; the converters
resolve them. Absent values are omitted from ``data``, never ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Codes of importers.md §1.6 that the reader itself assigns.
RECORD_INVALID = "importer-record-invalid"
ENTRY_INVALID = "importer-entry-invalid"
UNKNOWN_FOLDER = "importer-message-unknown-folder"
INVALID_TIMESTAMP = "importer-message-invalid-timestamp"
SUBTYPE_IGNORED = "importer-message-subtype-ignored"
FILE_UNAVAILABLE = "importer-file-unavailable"
MAPPED_TO_ROCKET_CAT = "importer-user-mapped-to-rocket-cat"
GUEST_SKIPPED = "importer-user-guest-skipped"
BOT_UNIDENTIFIED = "importer-message-bot-unidentified"
TEXT_INVALID_UNICODE = "importer-text-invalid-unicode"


@dataclass(slots=True)
class ReaderRecord:
    """One user, channel or message as read from the export.

    ``source`` is ``{"entry": <member name>, "index": <0-based array position>}`` (no index for
    a record standing for a whole member, such as a member that does not parse). ``errors`` and
    ``warnings`` hold ``{"message": <code>, "details"?: {...}}``; ``skip_reason`` marks a record
    the conversion skips (it still counts, §1.5).
    """

    data_type: str
    data: dict[str, Any]
    source: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    skip_reason: str | None = None
    skip_details: dict[str, Any] | None = None


def problem(code: str, **details: Any) -> dict[str, Any]:
    """``{"message": code}`` plus ``details`` when any are given."""
    if details:
        return {"message": code, "details": details}
    return {"message": code}
