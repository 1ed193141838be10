"""Rocket.Chat's ImporterProgressStep values and the groups clients reason with."""

from __future__ import annotations

NEW = "importer_new"
UPLOADING = "importer_uploading"
DOWNLOADING_FILE = "importer_downloading_file"
FILE_LOADED = "importer_file_loaded"
PREPARING_STARTED = "importer_preparing_started"
PREPARING_USERS = "importer_preparing_users"
PREPARING_CHANNELS = "importer_preparing_channels"
PREPARING_MESSAGES = "importer_preparing_messages"
PREPARING_CONTACTS = "importer_preparing_contacts"
USER_SELECTION = "importer_user_selection"
IMPORTING_STARTED = "importer_importing_started"
IMPORTING_USERS = "importer_importing_users"
IMPORTING_CHANNELS = "importer_importing_channels"
IMPORTING_MESSAGES = "importer_importing_messages"
IMPORTING_CONTACTS = "importer_importing_contacts"
IMPORTING_FILES = "importer_importing_files"
FINISHING = "importer_finishing"
DONE = "importer_done"
ERROR = "importer_import_failed"
CANCELLED = "importer_import_cancelled"

WAITING = frozenset({NEW, UPLOADING, DOWNLOADING_FILE})
PREPARING = frozenset(
    {PREPARING_STARTED, PREPARING_USERS, PREPARING_CHANNELS, PREPARING_MESSAGES, PREPARING_CONTACTS}
)
IMPORTING = frozenset(
    {
        IMPORTING_STARTED,
        IMPORTING_USERS,
        IMPORTING_CHANNELS,
        IMPORTING_MESSAGES,
        IMPORTING_CONTACTS,
        IMPORTING_FILES,
        FINISHING,
    }
)
FINAL = frozenset({DONE, ERROR, CANCELLED})
DOWNLOADING = frozenset({UPLOADING, DOWNLOADING_FILE})


def state_of(status: str, valid: bool) -> str:
    """The ``import.status`` state (rest-api §3.4): first match wins."""
    if not valid and status != DONE:
        return "error"
    if status == NEW:
        return "new"
    if status in DOWNLOADING or status == FILE_LOADED or status in PREPARING:
        return "loading"
    if status == USER_SELECTION:
        return "ready"
    if status in IMPORTING:
        return "importing"
    if status == DONE:
        return "done"
    if status == ERROR:
        return "error"
    if status == CANCELLED:
        return "canceled"
    return "error"


# failureReason codes (rest-api §4.2.5)
FAIL_SSRF = "error-ssrf-validation-failed"
FAIL_REDIRECTS = "error-too-many-redirects"
FAIL_NO_LOCATION = "redirect-response-location-header-missing"
FAIL_PROCESSING = "error-processing-request"
FAIL_TOO_LARGE = "error-import-file-too-large"
FAIL_DOWNLOAD = "error-import-file-download-failed"
FAIL_STORE = "error-import-file-store-failed"
FAIL_INVALID_FILE = "error-import-file-invalid"
FAIL_IMPORT = "error-import-failed"
FAIL_CANCELLED = "error-import-operation-cancelled"
