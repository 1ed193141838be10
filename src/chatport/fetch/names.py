"""Host names refused before any DNS lookup.

Why by name as well as by address: some names reach internal services through resolvers the
classifier never sees (mDNS ``*.local``, cluster DNS ``*.internal``, ``/etc/hosts``), and a lookup
of a metadata name already leaks intent. Single-label names never get this far: ``parse_url``
refuses them (security-reliability §1.3.5).
"""

from __future__ import annotations

from collections.abc import Sequence

# Refused even for allowlisted hosts: nothing legitimate is imported from a metadata service.
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.amazonaws.com"})
LOCAL_NAMES = frozenset({"localhost"})
LOCAL_SUFFIXES = (".localhost", ".local", ".internal")


def _matches(host: str, pattern: str) -> bool:
    pattern = pattern.strip().lower().rstrip(".")
    if not pattern:
        return False
    if pattern.startswith("*."):
        pattern = pattern[1:]
    if pattern.startswith("."):
        return host.endswith(pattern)
    return host == pattern


def name_refusal(host: str, allowlisted: bool, extra_names: Sequence[str] = ()) -> str | None:
    """The reason ``host`` is refused by name, or None.

    ``extra_names`` are operator additions: an exact name, or ``.suffix`` / ``*.suffix`` for
    every name below a suffix. Like the built-in local names, they yield to the allowlist.
    """
    if host in METADATA_NAMES:
        return "metadata host name"
    if allowlisted:
        return None
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES):
        return "local host name"
    if any(_matches(host, pattern) for pattern in extra_names):
        return "operator-denied host name"
    return None
