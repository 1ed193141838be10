"""Decide, per hop, whether a parsed URL may be fetched and which addresses may be dialled.

Why per hop and all addresses: a redirect is a new target, and a name with one public and one
private record must be refused, not raced (security-reliability §1.3). The returned addresses
are the only ones the connection layer dials, so a second resolution (DNS rebinding) cannot
happen. Every refusal is the same client error (§1.11.1); the reason goes to the log with the
host and the addresses, never the query string.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from .addresses import IPAddress, IPNetwork, address_allowed, is_link_local_or_metadata
from .allowlist import allowlist_match, host_permitted, parse_allowlist
from .errors import SSRF_VALIDATION_FAILED, FetchRefused
from .interfaces import local_addresses
from .names import name_refusal
from .resolver import Resolver, system_resolver
from .url import ParsedUrl

__all__ = [
    "FetchPolicy",
    "address_allowed",
    "check_target",
    "is_link_local_or_metadata",
]

log = logging.getLogger("chatport.fetch")


@dataclass(frozen=True)
class FetchPolicy:
    """Everything the SSRF decision depends on; built per request from current settings.

    ``allowlist`` is the raw ``SSRF_Allowlist`` text. ``allowed_hosts`` optionally narrows the
    hosts a source may use (exact, or ``*.suffix`` for one label). ``resolver`` maps
    ``(host, port)`` to IP strings (default: ``getaddrinfo``); tests inject one. ``ca_certs`` is
    a CA bundle path (None: the system trust store). ``extra_denied_names`` are operator
    additions to the refused names. ``local_addresses`` overrides the discovered interface
    addresses (None: read from the OS). ``resolve_timeout`` bounds the default resolver.
    """

    allowlist: str = ""
    allowed_ports: frozenset[int] = frozenset({80, 443})
    extra_denied_cidrs: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    resolver: Resolver | None = None
    ca_certs: str | None = None
    extra_denied_names: tuple[str, ...] = ()
    local_addresses: frozenset[str] | None = None
    resolve_timeout: float = 10.0


class _Refusal:
    """Logs and builds the refusal for one target, so every exit looks the same."""

    def __init__(self, url: ParsedUrl) -> None:
        self._url = url

    def __call__(self, reason: str, addresses: Iterable[IPAddress | str] = ()) -> FetchRefused:
        shown = ",".join(str(addr) for addr in addresses) or "-"
        log.warning(
            "fetch refused: host=%s port=%d addresses=%s reason=%s",
            self._url.host,
            self._url.port,
            shown,
            reason,
        )
        return FetchRefused(SSRF_VALIDATION_FAILED, reason, self._words(reason, shown))

    def _words(self, reason: str, shown: str) -> str:
        host, port = self._url.host, self._url.port
        allow = f"add {host}:{port} to SSRF_Allowlist"
        if reason.startswith("name resolution"):
            return f"could not resolve host {host}: check the name"
        if reason == "port not allowed":
            return f"port {port} is not allowed: {allow}"
        if reason == "host not permitted for this source":
            return f"host {host} is not a host this source's files come from"
        where = f"address {shown}" if shown == host else f"address {shown} of {host}"
        if reason == "link-local or metadata address":
            return f"{where} is link-local or cloud metadata: never fetched"
        if reason in ("denied address range", "own interface address"):
            return f"{where} is internal ({reason}): {allow} to fetch from it"
        return f"host {host} refused: {reason}"


def _extra_networks(cidrs: Iterable[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _own_addresses(policy: FetchPolicy) -> frozenset[str]:
    """The host's interface addresses in canonical text (injected ones are canonicalised)."""
    if policy.local_addresses is None:
        return local_addresses()
    canonical: set[str] = set()
    for text in policy.local_addresses:
        literal = _ip_literal(text.strip())
        if literal is not None:
            canonical.add(str(literal))
    return frozenset(canonical)


def _resolve(url: ParsedUrl, policy: FetchPolicy, refuse: _Refusal) -> list[IPAddress]:
    resolver = policy.resolver or system_resolver(policy.resolve_timeout)
    try:
        answers = list(resolver(url.host, url.port))
    except Exception:
        raise refuse("name resolution failed") from None
    if not answers:
        raise refuse("name resolution returned no address")
    found: list[IPAddress] = []
    for answer in answers:
        try:
            ip = ipaddress.ip_address(str(answer))
        except ValueError:
            raise refuse("resolver returned a non-address") from None
        if ip not in found:
            found.append(ip)
    return found


def check_target(url: ParsedUrl, policy: FetchPolicy) -> list[str]:
    """Return the checked IP strings to dial for ``url``, or raise the SSRF refusal."""
    refuse = _Refusal(url)
    listed, port_admitted = allowlist_match(parse_allowlist(policy.allowlist), url)
    if not host_permitted(url.host, policy.allowed_hosts):
        raise refuse("host not permitted for this source")
    if url.port not in policy.allowed_ports and not port_admitted:
        raise refuse("port not allowed")
    reason = name_refusal(url.host, listed, policy.extra_denied_names)
    if reason:
        raise refuse(reason)
    try:
        extra = _extra_networks(policy.extra_denied_cidrs)
    except ValueError:
        raise refuse("invalid operator CIDR setting") from None

    literal = _ip_literal(url.host)
    addresses = [literal] if literal is not None else _resolve(url, policy, refuse)

    own: frozenset[str] | None = None
    for ip in addresses:
        if is_link_local_or_metadata(ip):
            raise refuse("link-local or metadata address", addresses)
        if listed:
            continue
        if not address_allowed(ip, extra):
            raise refuse("denied address range", addresses)
        if own is None:
            own = _own_addresses(policy)
        if str(ip) in own:
            raise refuse("own interface address", addresses)
    return [str(ip) for ip in addresses]
