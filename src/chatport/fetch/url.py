"""The one URL parser of the fetcher.

Why our own parser: the fetcher must act on exactly the parts that were checked. With CPython
3.11 and urllib3 2.7, ``urllib.parse`` and urllib3 disagree about ``http://evil\\@good/``; so a
URL is parsed once, here, and only the parsed parts (scheme, A-label host, port, request target)
travel further (security-reliability §1.2.2). The grammar is deliberately narrow: anything a
WHATWG parser would treat differently from a plain reading (userinfo, fragments, backslashes,
whitespace, controls) is refused instead of interpreted.

Port policy is not applied here: it depends on the allowlist (``ssrf.check_target``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .errors import UrlInvalid
from .host import normalize_bracketed, normalize_host

MAX_URL_LENGTH = 8192
DEFAULT_PORTS = {"http": 80, "https": 443}

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PORT_RE = re.compile(r"[0-9]+\Z")
_PATH_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%"
)
_QUERY_SAFE = _PATH_SAFE | {"?"}


def _bad_char(ch: str) -> bool:
    """ASCII whitespace, C0 and C1 controls, DEL and backslash (§1.2.4)."""
    code = ord(ch)
    return code <= 0x20 or 0x7F <= code <= 0x9F or ch == "\\"


def _percent_encode(text: str, safe: frozenset[str]) -> str:
    """Percent-encode everything outside ``safe`` as UTF-8, keeping existing escapes."""
    out: list[str] = []
    for ch in text:
        if ch in safe:
            out.append(ch)
            continue
        try:
            raw = ch.encode("utf-8")
        except UnicodeEncodeError:
            raise UrlInvalid("unencodable character") from None
        out.append("".join(f"%{byte:02X}" for byte in raw))
    return "".join(out)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for an absolute path: resolve literal ``.`` and ``..`` segments."""
    segments = path.split("/")[1:]
    out: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    result = "/" + "/".join(out)
    if segments and segments[-1] in (".", "..") and not result.endswith("/"):
        result += "/"
    return result


@dataclass(frozen=True, repr=False)
class ParsedUrl:
    """A checked http(s) URL, split into the parts the fetcher uses.

    ``repr`` shows the log-safe form only, so an accidental ``%r`` never writes a query string
    (which may carry a token) into a log.
    """

    scheme: str
    host: str
    port: int
    explicit_port: bool
    path_query: str

    def __repr__(self) -> str:
        query = "?[redacted]" if "?" in self.path_query else ""
        return f"ParsedUrl({self.display() + query!r})"

    @property
    def is_ipv6_literal(self) -> bool:
        return ":" in self.host

    def authority(self) -> str:
        """``host[:port]`` as written in a URL and in the ``Host`` header."""
        host = f"[{self.host}]" if self.is_ipv6_literal else self.host
        return f"{host}:{self.port}" if self.explicit_port else host

    def path(self) -> str:
        return self.path_query.split("?", 1)[0]

    def display(self) -> str:
        """``scheme://host[:port]/path`` for logs: never the query, which may carry tokens."""
        return f"{self.scheme}://{self.authority()}{self.path()}"

    def basename(self) -> str:
        """Last path segment, percent-decoded; display metadata only, never a file path."""
        return unquote(self.path().rsplit("/", 1)[-1], errors="replace")

    def url(self) -> str:
        return f"{self.scheme}://{self.authority()}{self.path_query}"


def _split_authority(authority: str) -> tuple[str, bool, str | None]:
    """Return (host text, bracketed, port text or None)."""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise UrlInvalid("unterminated IPv6 literal")
        rest = authority[end + 1 :]
        if rest and not rest.startswith(":"):
            raise UrlInvalid("garbage after IPv6 literal")
        return authority[1:end], True, (rest[1:] if rest else None)
    if "[" in authority or "]" in authority:
        raise UrlInvalid("bracket in host")
    host, sep, port = authority.partition(":")
    if sep and ":" in port:
        raise UrlInvalid("unbracketed colon in host")
    return host, False, (port if sep else None)


def _parse_port(text: str | None, scheme: str) -> tuple[int, bool]:
    default = DEFAULT_PORTS[scheme]
    if text is None or text == "":
        return default, False
    if not _PORT_RE.match(text):
        raise UrlInvalid("malformed port")
    port = int(text)
    if port > 65535:
        raise UrlInvalid("port out of range")
    return port, port != default


def _request_target(tail: str) -> str:
    path, sep, query = tail.partition("?")
    path = remove_dot_segments(path) if path else "/"
    target = _percent_encode(path, _PATH_SAFE)
    if sep:
        target += "?" + _percent_encode(query, _QUERY_SAFE)
    return target


def parse_url(raw: object) -> ParsedUrl:
    """Parse and canonicalise an http(s) URL, or raise ``UrlInvalid`` / ``FetchRefused``."""
    if not isinstance(raw, str) or not raw:
        raise UrlInvalid("not a non-empty string")
    if len(raw) > MAX_URL_LENGTH:
        raise UrlInvalid("URL too long")
    if any(_bad_char(ch) for ch in raw):
        raise UrlInvalid("whitespace, control character or backslash")
    match = _SCHEME_RE.match(raw)
    if match is None:
        raise UrlInvalid("no scheme")
    scheme = match.group()[:-1].lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlInvalid("scheme not allowed")
    rest = raw[match.end() :]
    if not rest.startswith("//"):
        raise UrlInvalid("no authority")
    if "#" in rest:
        raise UrlInvalid("fragment")
    rest = rest[2:]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        raise UrlInvalid("userinfo")
    host_text, bracketed, port_text = _split_authority(authority)
    if not host_text:
        raise UrlInvalid("missing host")
    port, explicit = _parse_port(port_text, scheme)
    host = normalize_bracketed(host_text) if bracketed else normalize_host(host_text)
    return ParsedUrl(scheme, host, port, explicit, _request_target(tail))
