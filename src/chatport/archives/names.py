"""Member names: normalised for matching only, never used as filesystem paths.

Archives are never extracted (security-reliability.md §1.6), so a name only decides whether a
member is one an importer expects. A name that could mean something else on some filesystem or
to some other tool (``..``, an absolute path, a drive letter, a backslash, NUL) never matches.
"""

from __future__ import annotations

import re

_DRIVE = re.compile(r"[A-Za-z]:")
_JUNK_FOLDERS = frozenset({"__MACOSX"})
_JUNK_FILES = frozenset({".DS_Store"})
_DISPLAY_LIMIT = 120


def safe_member_name(raw: str, max_bytes: int = 4096) -> str | None:
    """Return ``raw`` normalised for matching, or ``None`` if it must never match.

    Empty and ``.`` components are dropped (``./a//b`` matches ``a/b``); ``None`` is returned for
    ``..`` components, a leading ``/``, a drive letter, a backslash, NUL, an empty result, or a
    name longer than ``max_bytes`` UTF-8 bytes. Junk (``__MACOSX/``, ``.DS_Store``) is *not*
    rejected here; ask :func:`is_junk`.
    """
    if not raw or "\x00" in raw or "\\" in raw or raw.startswith("/") or _DRIVE.match(raw):
        return None
    parts = [part for part in raw.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    name = "/".join(parts)
    if len(name.encode("utf-8", "surrogatepass")) > max_bytes:
        return None
    return name


def is_junk(name: str) -> bool:
    """True for macOS metadata members that exports carry by accident (ignored, as in RC)."""
    parts = name.split("/")
    return any(part in _JUNK_FOLDERS for part in parts) or parts[-1] in _JUNK_FILES


def display_name(name: str, limit: int = _DISPLAY_LIMIT) -> str:
    """A member name made safe for an error message: control characters escaped, length cut.

    Names are attacker-controlled; this keeps a hostile name from forging log lines or flooding
    the ``failureMessage``.
    """
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in name)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown
