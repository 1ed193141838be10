"""Turn the host part of a URL into the one canonical string every later step uses.

Why a single conversion: the name that is checked, resolved, sent in ``Host`` and SNI and matched
against the certificate must be the same string (security-reliability §1.2.6; a pin keyed on the
Unicode form once missed). The result is the IDNA A-label, lowercase, without a trailing dot, or
the canonical text of an IP literal (IPv6 without brackets).

Which error: a host that cannot be converted at all (characters a WHATWG parser refuses,
Unicode that has no A-label) is ``UrlInvalid``; a host that converts but breaks chatport's own
SSRF shape rules (length, labels, numeric forms, single label) is ``FetchRefused`` with
``error-ssrf-validation-failed`` (§1.2.9).
"""

from __future__ import annotations

import ipaddress
import re

import idna

from .errors import SSRF_VALIDATION_FAILED, FetchRefused, UrlInvalid

MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63

# WHATWG "forbidden domain code points" (C0 and DEL are handled by the caller already, and again
# here because UTS 46 mapping can produce ASCII from full-width forms).
_FORBIDDEN_DOMAIN_CHARS = frozenset(" #%/:<>?@[\\]^|")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")
_TLD_RE = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\Z")
_DECIMAL_OCTET_RE = re.compile(r"(?:0|[1-9][0-9]{0,2})\Z")
_NUMERIC_LABEL_RE = re.compile(r"(?:[0-9]+|0[xX][0-9a-fA-F]*)\Z")


def _ssrf(detail: str) -> FetchRefused:
    return FetchRefused(SSRF_VALIDATION_FAILED, detail, f"the URL's host is not valid: {detail}")


def _has_forbidden(text: str) -> bool:
    return any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch in _FORBIDDEN_DOMAIN_CHARS for ch in text)


def normalize_bracketed(text: str) -> str:
    """Canonical text of a bracketed IPv6 literal (brackets already removed).

    Zone identifiers are refused: they name a local interface and have no meaning for a remote
    fetch.
    """
    if "%" in text:
        raise UrlInvalid("IPv6 zone identifier")
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        raise UrlInvalid("malformed IPv6 literal") from None


def _canonical_ipv4(labels: list[str]) -> str:
    """Accept only a canonical dotted quad; every other numeric host form is refused.

    Why: ``ipaddress`` rejects ``127.1``, ``0x7f.1`` or ``2130706433`` but glibc resolves them to
    127.0.0.1, so a host that "ends in a number" must be exactly a dotted quad (§1.2.7).
    """
    if (
        len(labels) == 4
        and all(_DECIMAL_OCTET_RE.match(label) for label in labels)
        and all(int(label) <= 255 for label in labels)
    ):
        return str(ipaddress.IPv4Address(".".join(labels)))
    raise _ssrf("non-canonical IP literal")


def _to_alabel(label: str) -> str:
    """One label as its A-label; refuses what has no valid A-label."""
    if label.isascii():
        if label.startswith("xn--"):
            try:
                idna.ulabel(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                raise UrlInvalid("invalid A-label") from None
        return label
    try:
        encoded = label.encode("punycode")
    except UnicodeError:
        raise UrlInvalid("host has no A-label") from None
    if len(encoded) + 4 > MAX_LABEL_LENGTH:
        raise _ssrf("label too long")
    try:
        return idna.alabel(label).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        raise UrlInvalid("host has no A-label") from None


def normalize_host(text: str) -> str:
    """Canonical A-label (or dotted-quad) form of an unbracketed host."""
    if not text:
        raise UrlInvalid("missing host")
    if text.isascii():
        mapped = text.lower()
    else:
        try:
            mapped = idna.uts46_remap(text, std3_rules=False, transitional=False)
        except (idna.IDNAError, UnicodeError, ValueError):
            raise UrlInvalid("host has no A-label") from None
    if _has_forbidden(mapped):
        raise UrlInvalid("forbidden character in host")
    if mapped.endswith("."):
        mapped = mapped[:-1]
    if not mapped:
        raise UrlInvalid("missing host")
    labels = mapped.split(".")
    if _NUMERIC_LABEL_RE.match(labels[-1]):
        return _canonical_ipv4(labels)
    alabels = [_to_alabel(label) for label in labels]
    host = ".".join(alabels)
    if len(host) > MAX_HOST_LENGTH:
        raise _ssrf("host too long")
    for label in alabels:
        if len(label) > MAX_LABEL_LENGTH or not _LABEL_RE.match(label):
            raise _ssrf("bad label")
    if len(alabels) < 2:
        raise _ssrf("single-label host")
    if not _TLD_RE.match(alabels[-1]):
        raise _ssrf("bad top-level label")
    return host
