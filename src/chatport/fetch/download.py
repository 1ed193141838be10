"""Open a checked download, following redirects, and stream its body under every limit.

Why two phases: the API answers once the final response head is acceptable (rest-api §4.2.1
step 7), so ``open_download`` fails with ``error-processing-request``-class codes, and the body
then streams in the background where failures are ``error-import-file-download-failed`` or
``error-import-file-too-large`` (§4.2.5). The body is bounded on four axes: bytes counted as
received, idle time per read, a total deadline on chatport's own clock (with a watchdog for
reads that trickle inside one call), and encoding (raw bytes only, never decoded).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType

from urllib3.response import HTTPResponse

from .errors import (
    DOWNLOAD_FAILED,
    FILE_TOO_LARGE,
    LOCATION_MISSING,
    PROCESSING_REQUEST,
    TOO_MANY_REDIRECTS,
    FetchRefused,
)
from .hop import Hop, open_hop
from .limits import Limits
from .redirects import REDIRECT_STATUSES, redirect_target
from .ssrf import FetchPolicy, check_target
from .timing import Abort, Deadline
from .url import ParsedUrl, parse_url

__all__ = ["Abort", "Download", "Limits", "open_download"]

log = logging.getLogger("chatport.fetch")


def _tokens(response: HTTPResponse, name: str) -> list[str]:
    values = response.headers.getlist(name)
    return [
        token.strip().lower() for value in values for token in value.split(",") if token.strip()
    ]


def _declared_length(response: HTTPResponse) -> int | None:
    """The one ``Content-Length`` the body will be held to, or None when framed otherwise.

    Conflicting or malformed values are refused: they are how request smuggling and
    truncation confusion start, and a well-behaved server never sends them.
    """
    if _tokens(response, "transfer-encoding"):
        return None
    values = set(_tokens(response, "content-length"))
    if not values:
        return None
    if len(values) > 1 or not all(value.isascii() and value.isdigit() for value in values):
        raise FetchRefused(PROCESSING_REQUEST, "malformed Content-Length")
    return int(values.pop())


def _check_final(response: HTTPResponse, limits: Limits) -> int | None:
    """Refuse a final response that is not a plain 2xx body within the cap."""
    if not 200 <= response.status < 300:
        raise FetchRefused(
            PROCESSING_REQUEST, "final status outside 2xx", f"HTTP {response.status}"
        )
    transfer = _tokens(response, "transfer-encoding")
    if transfer and transfer != ["chunked"]:
        raise FetchRefused(PROCESSING_REQUEST, "unsupported Transfer-Encoding")
    encodings = _tokens(response, "content-encoding")
    if len(encodings) > 1 or (encodings and encodings[0] != "identity"):
        raise FetchRefused(PROCESSING_REQUEST, "Content-Encoding other than identity")
    length = _declared_length(response)
    if length is not None and length > limits.max_bytes:
        raise FetchRefused(FILE_TOO_LARGE, "declared Content-Length above the cap")
    return length


class Download:
    """An open, checked, final 2xx response whose body has not been read yet."""

    def __init__(
        self,
        hop: Hop,
        content_length: int | None,
        limits: Limits,
        deadline: Deadline,
        abort: Abort | None = None,
    ) -> None:
        self.url: ParsedUrl = hop.url
        self.content_length: int | None = content_length
        self.content_type: str | None = hop.response.headers.get("Content-Type")
        self._hop = hop
        self._limits = limits
        self._deadline = deadline
        self._lock = threading.Lock()
        self._closed = False
        self._iterated = False
        self._abort = abort
        hop.watchdog.arm(deadline.remaining())
        if abort is not None:
            abort.on_abort(self.close)

    def __enter__(self) -> Download:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close the socket at once (cancellation); idempotent and thread-safe."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._hop.close()

    def __del__(self) -> None:
        # A Download dropped without close() would otherwise keep its socket until the
        # deadline watchdog fires.
        with contextlib.suppress(Exception):
            self.close()

    def iter_chunks(self, chunk_size: int = 65536) -> Iterator[bytes]:
        """Yield the raw body in chunks of at most ``chunk_size`` bytes; usable once."""
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        if self._iterated:
            raise RuntimeError("the body of a Download can be read only once")
        self._iterated = True
        return self._chunks(chunk_size)

    def _fail(self, code: str, detail: str) -> FetchRefused:
        message = self._words(detail)
        log.warning("download failed: url=%s reason=%s", self.url.display(), message)
        self.close()
        return FetchRefused(code, detail, message)

    def _words(self, detail: str) -> str:
        host = self.url.host
        if detail == "total deadline":
            return f"the download from {host} did not finish within the total deadline"
        if detail == "byte cap reached":
            return f"the file from {host} is larger than the {self._limits.max_bytes}-byte cap"
        if detail == "body shorter than Content-Length":
            return f"{host} closed the connection before the whole file arrived"
        if detail == "closed":
            return "the download was stopped"
        if "Timeout" in detail:
            return f"{host} stopped sending data (nothing within the idle timeout)"
        return f"reading from {host} failed: {detail}"

    def _stopped(self) -> bool:
        """Closed or aborted from another thread; checked after every read."""
        return self._closed or (self._abort is not None and self._abort.is_set)

    def _read(self, amount: int) -> bytes:
        remaining = self._deadline.remaining()
        if remaining <= 0:
            raise self._fail(DOWNLOAD_FAILED, "total deadline")
        # Once the body is complete, urllib3 has already released the socket; nothing to arm.
        with contextlib.suppress(OSError):
            self._hop.sock.settimeout(min(self._limits.idle_timeout, remaining))
        try:
            data = self._hop.response.read1(amount, decode_content=False)
        except Exception as exc:
            if self._hop.watchdog.fired:
                raise self._fail(DOWNLOAD_FAILED, "total deadline") from None
            if self._stopped():
                raise self._fail(DOWNLOAD_FAILED, "closed") from None
            raise self._fail(DOWNLOAD_FAILED, f"read failed ({type(exc).__name__})") from None
        if self._hop.watchdog.fired:
            raise self._fail(DOWNLOAD_FAILED, "total deadline")
        if self._stopped():
            raise self._fail(DOWNLOAD_FAILED, "closed")
        return data

    def _chunks(self, chunk_size: int) -> Iterator[bytes]:
        received = 0
        try:
            while True:
                if self._stopped():
                    raise self._fail(DOWNLOAD_FAILED, "closed")
                data = self._read(min(chunk_size, self._limits.max_bytes - received + 1))
                if not data:
                    if self.content_length is not None and received != self.content_length:
                        raise self._fail(DOWNLOAD_FAILED, "body shorter than Content-Length")
                    return
                received += len(data)
                if received > self._limits.max_bytes:
                    raise self._fail(FILE_TOO_LARGE, "byte cap reached")
                if self._deadline.expired():
                    raise self._fail(DOWNLOAD_FAILED, "total deadline")
                yield data
        finally:
            self.close()


def _next_hop(current: ParsedUrl, hop: Hop, followed: int, limits: Limits) -> ParsedUrl:
    """The redirect target of ``hop``; the caller has already closed the hop."""
    if followed >= limits.max_redirects:
        raise FetchRefused(TOO_MANY_REDIRECTS, "too many redirects")
    locations = {value.strip() for value in hop.response.headers.getlist("Location")}
    locations.discard("")
    if not locations:
        raise FetchRefused(LOCATION_MISSING, "redirect without Location")
    if len(locations) > 1:
        raise FetchRefused(PROCESSING_REQUEST, "conflicting Location headers")
    return redirect_target(current, locations.pop())


def open_download(
    url: str | ParsedUrl,
    policy: FetchPolicy,
    limits: Limits,
    clock: Callable[[], float] = time.monotonic,
    abort: Abort | None = None,
) -> Download:
    """Check, connect, follow redirects, and return the final response ready to stream.

    Raises ``UrlInvalid`` only for a string that is not an http(s) URL; everything else is
    ``FetchRefused`` with one of the fixed codes. A ``ParsedUrl`` is re-parsed from its own
    canonical text, so a hand-built instance cannot skip the URL rules. Raising ``abort``
    from another thread closes the socket of whichever phase is running, the body's
    included, and that phase fails at once (the caller tells it from a real failure by
    ``abort.is_set``).
    """
    deadline = Deadline(clock, limits.deadline)
    current = parse_url(url if isinstance(url, str) else url.url())
    visited = {current.url()}
    followed = 0
    while True:
        addresses = check_target(current, policy)
        hop = open_hop(current, addresses, policy, limits, deadline, abort)
        if hop.response.status in REDIRECT_STATUSES:
            # The redirect body is never read: nothing in it is needed, and not reading it is
            # the strictest reading of the redirect_body_max bound (urllib3 CVE-2026-21441).
            hop.close()
            try:
                target = _next_hop(current, hop, followed, limits)
            except FetchRefused as exc:
                log.warning("redirect refused: url=%s reason=%s", current.display(), exc.detail)
                raise
            followed += 1
            if target.url() in visited:
                log.warning("redirect refused: url=%s reason=loop", current.display())
                raise FetchRefused(TOO_MANY_REDIRECTS, "redirect loop")
            visited.add(target.url())
            log.info("following redirect: %s -> %s", current.display(), target.display())
            current = target
            continue
        try:
            length = _check_final(hop.response, limits)
        except FetchRefused as exc:
            hop.close()
            exc.message = f"{exc.message} from {current.host}"
            log.warning("fetch refused: url=%s reason=%s", current.display(), exc.message)
            raise
        if deadline.expired():
            hop.close()
            raise FetchRefused(PROCESSING_REQUEST, "total deadline")
        return Download(hop, length, limits, deadline, abort)
