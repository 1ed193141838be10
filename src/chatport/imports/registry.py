"""The importer registry: keys, display names, visibility, and who takes a file.

An importer whose reader is not built is not registered, so it answers
``error-importer-not-defined`` like any unknown key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImporterEntry:
    key: str
    name: str
    visible: bool
    takes_file: bool
    by_file_route: bool = True  # reachable through uploadImportFile / downloadPublicImportFile


# Registration order is Rocket.Chat's (rest-api §3.6). Entries are appended by the
# modules that provide a reader; see ``imports.importers``.
_ALL: tuple[ImporterEntry, ...] = (
    ImporterEntry("csv", "CSV", True, True),
    ImporterEntry("slack", "Slack", True, True),
    ImporterEntry("slack-users", "Slack_Users", True, True),
    ImporterEntry("hipchatenterprise", "HipChat (tar.gz)", True, True),
    ImporterEntry("pending-files", "Pending Files", False, False),
    ImporterEntry("pending-avatars", "Pending Avatars", False, False),
    ImporterEntry("api", "API", False, False, by_file_route=False),
)

PENDING_FILES = "pending-files"
PENDING_AVATARS = "pending-avatars"
API = "api"


class Registry:
    def __init__(self, available: set[str]):
        self._entries = tuple(e for e in _ALL if e.key in available)

    def get(self, key: str) -> ImporterEntry | None:
        for entry in self._entries:
            if entry.key == key:
                return entry
        return None

    def for_file_route(self, key: str) -> ImporterEntry | None:
        entry = self.get(key)
        return entry if entry and entry.by_file_route else None

    def visible(self) -> list[ImporterEntry]:
        return [e for e in self._entries if e.visible]
