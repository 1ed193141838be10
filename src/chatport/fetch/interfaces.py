"""The server's own interface addresses, which a fetch should never reach (§1.3.7).

Why: a host with a public address on one of its interfaces would otherwise let a URL reach
services bound to that address on this machine. Read from ``/proc`` (Linux) without extra
dependencies; elsewhere the set is empty and the range classifier still applies. Read on every
call, because addresses change (DHCP, containers) and the files are tiny.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

log = logging.getLogger("chatport.fetch")

_FIB_TRIE = Path("/proc/net/fib_trie")
_IF_INET6 = Path("/proc/net/if_inet6")


def _ipv4_local(text: str) -> set[str]:
    found: set[str] = set()
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|-- "):
            last = stripped[4:].strip()
        elif last is not None and stripped.startswith("/32 host LOCAL"):
            found.add(last)
    return found


def _ipv6_local(text: str) -> set[str]:
    found: set[str] = set()
    for line in text.splitlines():
        fields = line.split()
        if fields and len(fields[0]) == 32:
            try:
                found.add(str(ipaddress.IPv6Address(int(fields[0], 16))))
            except ValueError:
                continue
    return found


def local_addresses() -> frozenset[str]:
    """Canonical text of every address configured on this host's interfaces."""
    found: set[str] = set()
    for path, parse in ((_FIB_TRIE, _ipv4_local), (_IF_INET6, _ipv6_local)):
        try:
            found |= parse(path.read_text(encoding="ascii", errors="replace"))
        except OSError:
            continue
    return frozenset(found)
