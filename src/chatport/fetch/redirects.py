"""Turning a ``Location`` header into the next hop's parsed URL.

Why chatport follows redirects itself: each hop is a new target that must pass the URL rules
and the SSRF check again, judged by its own host (security-reliability §1.3.3). A relative
``Location`` is resolved against the answering hop's URL *with its host name*, never the pinned
IP (Rocket.Chat lost SNI that way). The result goes through ``parse_url`` like user input; a
target that is not an acceptable http(s) URL is an SSRF refusal, since the operation exists.
"""

from __future__ import annotations

import re

from .errors import SSRF_VALIDATION_FAILED, FetchRefused, UrlInvalid
from .url import ParsedUrl, parse_url, remove_dot_segments

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _header_text(value: str) -> str:
    """Header values arrive latin-1 decoded; most servers mean UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def resolve_reference(base: ParsedUrl, reference: str) -> str:
    """RFC 3986 §5.2 resolution of ``reference`` against ``base`` (fragment already removed)."""
    if _SCHEME_RE.match(reference):
        return reference
    if reference.startswith("//"):
        return f"{base.scheme}:{reference}"
    prefix = f"{base.scheme}://{base.authority()}"
    if not reference:
        return base.url()
    if reference.startswith("?"):
        return prefix + base.path() + reference
    path, sep, query = reference.partition("?")
    if not path.startswith("/"):
        directory = base.path().rsplit("/", 1)[0]
        path = f"{directory}/{path}"
    return prefix + remove_dot_segments(path) + (sep + query)


def redirect_target(base: ParsedUrl, location: str) -> ParsedUrl:
    """The parsed next hop, or ``FetchRefused`` (``error-ssrf-validation-failed``)."""
    reference = _header_text(location).strip(" \t").split("#", 1)[0]
    try:
        return parse_url(resolve_reference(base, reference))
    except UrlInvalid:
        raise FetchRefused(
            SSRF_VALIDATION_FAILED, "redirect target is not an http(s) URL"
        ) from None
