"""The address classifier: a pure function deciding whether an IP may be dialled.

Why an explicit deny list instead of trusting ``is_private``/``is_global``: the stdlib answers
differ between patch releases (CVE-2024-4032, gh-113171; e.g. 6to4 of 127.0.0.1 is "global" on
3.11.7), and multicast is "global" everywhere. So an address must pass the stdlib flags *and* the
shipped list, and every IPv4 address embedded in an IPv6 one (mapped, compatible, 6to4, Teredo,
NAT64) must pass too (security-reliability §1.4).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DENIED_V4: tuple[ipaddress.IPv4Network, ...] = tuple(
    ipaddress.IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "100.100.100.200/32",
        # Azure's WireServer answers platform requests on this public address; an addition to
        # the specification's list, in the spirit of its metadata rules.
        "168.63.129.16/32",
    )
)

DENIED_V6: tuple[ipaddress.IPv6Network, ...] = tuple(
    ipaddress.IPv6Network(cidr)
    for cidr in (
        "::/128",
        "::1/128",
        "::/96",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/32",
        "2001:20::/28",
        "2001:db8::/32",
        "2002::/16",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)

LINK_LOCAL: tuple[IPNetwork, ...] = (
    ipaddress.IPv4Network("169.254.0.0/16"),
    ipaddress.IPv6Network("fe80::/10"),
)

METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        ipaddress.IPv4Address("100.100.100.200"),
        ipaddress.IPv4Address("168.63.129.16"),
        ipaddress.IPv6Address("fd00:ec2::254"),
        ipaddress.IPv6Address("fd00:ec2::23"),
    }
)

_COMPAT = ipaddress.IPv6Network("::/96")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address may carry, in any of the standard wrappings."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _COMPAT:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _unscoped(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return ipaddress.IPv6Address(int(ip))
    return ip


def _in_any(ip: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def _flags_allow(ip: IPAddress) -> bool:
    if not ip.is_global:
        return False
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    if ip.is_loopback or ip.is_link_local:
        return False
    return not (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)


def address_allowed(ip: IPAddress, extra_denied: Sequence[IPNetwork] = ()) -> bool:
    """True only if ``ip`` and every IPv4 address embedded in it may be dialled."""
    ip = _unscoped(ip)
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in embedded_ipv4(ip):
            if not address_allowed(inner, extra_denied):
                return False
    if not _flags_allow(ip):
        return False
    denied: Sequence[IPNetwork] = DENIED_V4 if ip.version == 4 else DENIED_V6
    return not (_in_any(ip, denied) or _in_any(ip, extra_denied))


def is_link_local_or_metadata(ip: IPAddress) -> bool:
    """Addresses refused even for allowlisted hosts: link-local and cloud metadata endpoints."""
    ip = _unscoped(ip)
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        candidates.extend(embedded_ipv4(ip))
    return any(
        addr.is_link_local or addr in METADATA_ADDRESSES or _in_any(addr, LINK_LOCAL)
        for addr in candidates
    )
