"""One request to one checked address: connect, send, read the response head.

Why dial the IP ourselves: the connection must go to an address ``check_target`` approved,
with no second resolution (DNS rebinding), while ``Host``, SNI and certificate checks keep the
A-label host name (security-reliability §1.3.2). A urllib3 connection built for the IP with
``server_hostname``/``assert_hostname`` does exactly that; proxies and ``.netrc`` are never
consulted because nothing here reads the environment. The connection object is used directly
(not a pool) so the socket is reachable for the watchdog from the first byte of the handshake.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import HTTPResponse

from . import logsafe
from .errors import PROCESSING_REQUEST, FetchRefused
from .limits import Limits
from .ssrf import FetchPolicy
from .timing import Abort, Deadline, Watchdog, abort_socket
from .url import ParsedUrl

log = logging.getLogger("chatport.fetch")
logsafe.install()

USER_AGENT = "chatport-fetch/1"


@dataclass
class Hop:
    """An open connection whose response head has been read."""

    url: ParsedUrl
    address: str
    connection: HTTPConnection
    sock: socket.socket
    response: HTTPResponse
    watchdog: Watchdog

    def close(self) -> None:
        """Close at once; safe to call twice and from another thread (cancellation)."""
        self.watchdog.disarm()
        abort_socket(self.sock)
        for closer in (self.response.close, self.connection.close, self.sock.close):
            with contextlib.suppress(Exception):
                closer()


def request_headers(url: ParsedUrl) -> dict[str, str]:
    """``Host`` carries the A-label and any non-default port; bodies are asked for as-is."""
    return {
        "Host": url.authority(),
        "Accept-Encoding": "identity",
        "Accept": "*/*",
        "User-Agent": USER_AGENT,
        "Connection": "close",
    }


def _connection(
    url: ParsedUrl, address: str, policy: FetchPolicy, timeout: float
) -> HTTPConnection:
    if url.scheme == "https":
        return HTTPSConnection(
            address,
            url.port,
            timeout=timeout,
            server_hostname=url.host,
            assert_hostname=url.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs,
        )
    return HTTPConnection(address, url.port, timeout=timeout)


def _socket_aborter(conn: HTTPConnection) -> Callable[[], None]:
    """Aborts whatever socket the connection holds when called (TCP, then TLS)."""

    def abort() -> None:
        abort_socket(conn.sock)

    return abort


def _aborted(abort: Abort | None) -> bool:
    return abort is not None and abort.is_set


def _fail(url: ParsedUrl, detail: str, message: str = "") -> FetchRefused:
    words = message or f"{url.host}:{url.port}: {detail}"
    log.warning("fetch failed: url=%s reason=%s", url.display(), words)
    return FetchRefused(PROCESSING_REQUEST, detail, words)


def _connect_words(url: ParsedUrl, error: BaseException | None) -> str:
    """Why no address answered, as an administrator would put it."""
    where = f"{url.host}:{url.port}"
    if isinstance(error, ConnectionRefusedError) or "refused" in str(error).lower():
        return f"could not connect to {where}: connection refused"
    if isinstance(error, TimeoutError) or "timed out" in str(error).lower():
        return f"could not connect to {where}: timed out"
    if error is not None and "ssl" in type(error).__name__.lower():
        return f"could not connect to {where}: the TLS handshake failed"
    return f"could not connect to {where}"


def _connect(
    url: ParsedUrl,
    addresses: Sequence[str],
    policy: FetchPolicy,
    limits: Limits,
    deadline: Deadline,
    abort: Abort | None = None,
) -> tuple[HTTPConnection, socket.socket, str]:
    """Connect (and finish TLS) to the first checked address that answers in time."""
    last_error: BaseException | None = None
    for address in addresses:
        if _aborted(abort):
            raise _fail(url, "cancelled")
        budget = min(limits.connect_timeout, deadline.remaining())
        if budget <= 0:
            raise _fail(url, "deadline reached before connecting")
        conn = _connection(url, address, policy, budget)
        watchdog = Watchdog(_socket_aborter(conn))
        watchdog.arm(budget)
        if abort is not None:
            abort.on_abort(_socket_aborter(conn))
        try:
            conn.connect()
        except Exception as exc:
            watchdog.disarm()
            conn.close()
            last_error = exc
            log.info(
                "fetch connect failed: url=%s address=%s error=%s",
                url.display(),
                address,
                type(exc).__name__,
            )
            continue
        watchdog.disarm()
        sock = conn.sock
        if _aborted(abort):
            conn.close()
            raise _fail(url, "cancelled")
        if watchdog.fired or sock is None:
            conn.close()
            last_error = TimeoutError()
            continue
        return conn, sock, address
    raise _fail(url, "connect or TLS failed", _connect_words(url, last_error))


def open_hop(
    url: ParsedUrl,
    addresses: Sequence[str],
    policy: FetchPolicy,
    limits: Limits,
    deadline: Deadline,
    abort: Abort | None = None,
) -> Hop:
    """Send ``GET`` to a checked address of ``url`` and return once the head is read.

    Raising ``abort`` (from another thread) shuts the socket down at any point, and the call
    fails at once instead of waiting out the connect or header timeout.
    """
    conn, sock, address = _connect(url, addresses, policy, limits, deadline, abort)
    budget = min(limits.header_timeout, deadline.remaining())
    watchdog = Watchdog(lambda: abort_socket(sock))
    watchdog.arm(budget)
    conn.timeout = max(budget, 0.001)
    try:
        conn.request(
            "GET",
            url.path_query,
            headers=request_headers(url),
            preload_content=False,
            decode_content=False,
            enforce_content_length=True,
        )
        response = conn.getresponse()
    except Exception as exc:
        watchdog.disarm()
        abort_socket(sock)
        conn.close()
        if _aborted(abort):
            raise _fail(url, "cancelled") from None
        log.info("fetch head failed: url=%s error=%s", url.display(), type(exc).__name__)
        raise _fail(
            url, "no response head", f"{url.host} closed the connection without an answer"
        ) from None
    hop = Hop(url, address, conn, sock, response, watchdog)
    if _aborted(abort):
        hop.close()
        raise _fail(url, "cancelled")
    if watchdog.fired:
        hop.close()
        raise _fail(url, "header timeout", f"{url.host} sent no answer within {budget:.0f} s")
    watchdog.disarm()
    return hop
