"""The settings an admin can read and change at run time, with Rocket.Chat's ids.

One definition per setting: its JSON type and default. ``CHATPORT_<ID>`` in the environment
overrides the stored value at every start, as Rocket.Chat's ``OVERWRITE_SETTING_<id>`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SSRF_ALLOWLIST = "SSRF_Allowlist"
DEFAULT_USER_ROLES = "Accounts_Registration_Users_Default_Roles"
DM_MAX_USERS = "DirectMesssage_maxUsers"
IMPORT_MAX_FILE_BYTES = "import_max_file_bytes"
IMPORT_DOWNLOAD_IDLE_TIMEOUT = "import_download_idle_timeout"
IMPORT_DOWNLOAD_DEADLINE = "import_download_deadline"
UPLOAD_MAX_FILE_SIZE = "FileUpload_MaxFileSize"
PENDING_ALLOWED_HOSTS = "Import_Pending_AllowedHosts"
RATE_LIMITER_ENABLED = "API_Enable_Rate_Limiter"
SEARCH_ALWAYS_REGEXP = "Message_AlwaysSearchRegExp"
THREADS_ENABLED = "Threads_enabled"


@dataclass(frozen=True)
class SettingDef:
    id: str
    type: str  # "string" | "number" | "boolean"
    default: Any
    label: str = ""
    description: str = ""


SETTINGS: dict[str, SettingDef] = {
    s.id: s
    for s in (
        SettingDef(
            SSRF_ALLOWLIST,
            "string",
            "",
            "Download allowlist (SSRF_Allowlist)",
            "Hosts chatport may download from although they are internal, or on a port other "
            "than 80 and 443: host, host:port or an address range, separated by commas or "
            "lines (files.corp.example, 10.0.5.7:8080). Cloud metadata addresses never.",
        ),
        SettingDef(
            DEFAULT_USER_ROLES,
            "string",
            "user",
            "Roles of new users",
            "Comma-separated roles every new imported user gets (unless the archive's roles "
            "are granted).",
        ),
        SettingDef(
            DM_MAX_USERS,
            "number",
            8,
            "Members of a direct message at most",
            "A Slack group DM with more members becomes a private group.",
        ),
        SettingDef(
            IMPORT_MAX_FILE_BYTES,
            "number",
            1 << 30,
            "Largest import file (bytes)",
            "Downloads and uploads of a larger export are refused.",
        ),
        SettingDef(
            IMPORT_DOWNLOAD_IDLE_TIMEOUT,
            "number",
            60,
            "Download idle timeout (seconds)",
            "A download that sends nothing for this long fails.",
        ),
        SettingDef(
            IMPORT_DOWNLOAD_DEADLINE,
            "number",
            1800,
            "Download deadline (seconds)",
            "A download that has not finished by then fails.",
        ),
        SettingDef(
            UPLOAD_MAX_FILE_SIZE,
            "number",
            104857600,
            "Largest pending file or avatar (bytes)",
            "Rocket.Chat's FileUpload_MaxFileSize: larger files fail as too large.",
        ),
        SettingDef(
            PENDING_ALLOWED_HOSTS,
            "string",
            "",
            "Pending files: hosts allowed",
            "When set, pending files and avatars download only from these hosts "
            "(comma-separated; empty: any host the SSRF rules allow).",
        ),
        SettingDef(
            RATE_LIMITER_ENABLED,
            "boolean",
            True,
            "API rate limiter",
            "10 calls a minute per client and endpoint, for users without api-bypass-rate-limit.",
        ),
        SettingDef(
            SEARCH_ALWAYS_REGEXP,
            "boolean",
            False,
            "Message search: always a regular expression",
            "chat.search reads the search text as a case-insensitive regular expression "
            "instead of words on the full-text index (slower: it reads the room's messages).",
        ),
        SettingDef(
            THREADS_ENABLED,
            "boolean",
            True,
            "Threads",
            "When off, the thread routes (chat.getThreadsList, chat.getThreadMessages, "
            "chat.syncThreadsList, chat.syncThreadMessages) answer 'Threads Disabled'.",
        ),
    )
}


_SAFE_INTEGER = 2**53


class WrongType(ValueError):
    """A value of another JSON type than the setting's (or a number JSON cannot hold)."""


def normalize(definition: SettingDef, value: Any) -> Any:
    """The value as stored, or :class:`WrongType`.

    Numbers behave as JavaScript's: one number type, finite only (an overflowing literal
    such as ``1e400`` is Infinity, which AJV refuses), integral values shown without a
    fraction, integers beyond 2**53 kept as the nearest double.
    """
    if definition.type == "string":
        if not isinstance(value, str):
            raise WrongType(definition.type)
        return value
    if definition.type == "boolean":
        if not isinstance(value, bool):
            raise WrongType(definition.type)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WrongType(definition.type)
    try:
        number = float(value)
    except OverflowError:
        raise WrongType(definition.type) from None
    if not math.isfinite(number):
        raise WrongType(definition.type)
    if number.is_integer() and abs(number) <= _SAFE_INTEGER:
        return int(number)
    return number


def matches_type(definition: SettingDef, value: Any) -> bool:
    try:
        normalize(definition, value)
    except WrongType:
        return False
    return True


def parse_env_value(definition: SettingDef, raw: str) -> Any:
    """Environment text to the setting's JSON type; a bad value fails loudly at start."""
    name = f"CHATPORT_{definition.id.upper()}"
    if definition.type == "string":
        return raw
    if definition.type == "boolean":
        lowered = raw.strip().lower()
        if lowered not in {"true", "false", "1", "0"}:
            raise ValueError(f"{name} must be true or false")
        return lowered in {"true", "1"}
    try:
        return normalize(definition, float(raw))
    except (ValueError, OverflowError):
        raise ValueError(f"{name} must be a finite number") from None
