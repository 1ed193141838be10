"""Reading the operator's ``SSRF_Allowlist`` setting and the caller's optional host narrowing.

Why exact matching only: a suffix or prefix match (``files.example.test`` admitting
``files.example.test.evil.test``) is how allowlists get bypassed, so an entry matches one host,
and a ``host:port`` entry matches only that host on that non-default port (rest-api §4.2.2).
The setting is parsed per request because operators change it at run time.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import FetchRefused, UrlInvalid
from .host import normalize_bracketed, normalize_host
from .url import ParsedUrl

_SEPARATORS = re.compile(r"[,\r\n]")
_PORT_RE = re.compile(r"[0-9]{1,5}\Z")


@dataclass(frozen=True)
class AllowEntry:
    host: str
    port: int | None


def _canonical_host(text: str, bracketed: bool) -> str:
    """The entry's host in the same canonical form ``parse_url`` produces, when it has one."""
    try:
        return normalize_bracketed(text) if bracketed else normalize_host(text)
    except (UrlInvalid, FetchRefused):
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            # Cannot match any parsed URL (parse_url would refuse such a host); keep it inert.
            return text.lower().rstrip(".")


def _parse_entry(item: str) -> AllowEntry | None:
    port_text: str | None = None
    if item.startswith("["):
        end = item.find("]")
        if end < 0:
            return None
        host, rest, bracketed = item[1:end], item[end + 1 :], True
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
    elif item.count(":") == 1:
        host, port_text = item.split(":")
        bracketed = False
    else:
        host, bracketed = item, False  # a name, an IPv4 address or an unbracketed IPv6 address
    port: int | None = None
    if port_text is not None:
        if not _PORT_RE.match(port_text) or not 0 < int(port_text) <= 65535:
            return None
        port = int(port_text)
    if not host:
        return None
    return AllowEntry(_canonical_host(host, bracketed), port)


def parse_allowlist(text: str) -> tuple[AllowEntry, ...]:
    """Entries separated by commas or newlines, trimmed, empty and malformed ones dropped."""
    entries: list[AllowEntry] = []
    for raw in _SEPARATORS.split(text or ""):
        item = raw.strip()
        if item:
            entry = _parse_entry(item)
            if entry is not None:
                entries.append(entry)
    return tuple(entries)


def allowlist_match(entries: Sequence[AllowEntry], url: ParsedUrl) -> tuple[bool, bool]:
    """Return (host is allowlisted, port is admitted by an entry)."""
    listed = admitted = False
    for entry in entries:
        if entry.host != url.host:
            continue
        if entry.port is None:
            listed = True
        elif url.explicit_port and entry.port == url.port:
            listed = admitted = True
    return listed, admitted


def host_permitted(host: str, patterns: Sequence[str]) -> bool:
    """Optional narrowing by the caller, e.g. a source that only serves files from Slack.

    A pattern is an exact host or ``*.suffix``, where ``*`` stands for exactly one whole label
    (as in certificates): ``*.slack-edge.com`` admits ``a.slack-edge.com`` but neither
    ``slack-edge.com`` nor ``a.b.slack-edge.com`` nor ``evilslack-edge.com``.
    """
    if not patterns:
        return True
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern.startswith("*."):
            suffix = pattern[1:]
            if host.endswith(suffix):
                label = host[: -len(suffix)]
                if label and "." not in label:
                    return True
        elif pattern and host == pattern:
            return True
    return False
