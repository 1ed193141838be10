"""``open_download`` against real loopback servers: redirects, pinning, limits, faults.

Every server binds 127.0.0.1 (or ::1); ``.test`` names reach it through the counting fake
resolver, and the test allowlist admits the test port (security-reliability §5.1, §5.5).
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from urllib3.response import HTTPResponse

from chatport.fetch import Download, FetchRefused, Limits, ParsedUrl, open_download, parse_url
from chatport.fetch.errors import (
    DOWNLOAD_FAILED,
    FILE_TOO_LARGE,
    LOCATION_MISSING,
    PROCESSING_REQUEST,
    SSRF_VALIDATION_FAILED,
    TOO_MANY_REDIRECTS,
)

from .fakes import CountingResolver, DialLog, policy_for
from .loopback import Exchange, LoopbackServer, closed_port, ipv6_loopback_available, trickle

Serve = Callable[..., LoopbackServer]
HOST = "files.example.test"


def refusal(code: str, call: Callable[[], object]) -> FetchRefused:
    with pytest.raises(FetchRefused) as info:
        call()
    assert info.value.code == code
    assert str(info.value) == code and info.value.args == (code,)
    return info.value


def body_of(download: Download, chunk_size: int = 65536) -> bytes:
    with download:
        return b"".join(download.iter_chunks(chunk_size))


def routes(table: dict[str, Callable[[Exchange], None]]) -> Callable[[Exchange], None]:
    def handle(exchange: Exchange) -> None:
        path = exchange.request.target.split("?", 1)[0]
        table.get(path, lambda x: x.respond(404, b"no such route"))(exchange)

    return handle


def redirect(location: str | None, status: int = 302) -> Callable[[Exchange], None]:
    def handle(exchange: Exchange) -> None:
        headers = [("Location", location)] if location is not None else []
        exchange.respond(status, b"moved", headers)

    return handle


def ok(body: bytes = b"archive-bytes") -> Callable[[Exchange], None]:
    return lambda exchange: exchange.respond(200, body, [("Content-Type", "application/zip")])


# --- success -----------------------------------------------------------------------------------


def test_success_streams_raw_bytes(
    serve: Serve, resolver: CountingResolver, fast_limits: Limits, dial_log: DialLog
) -> None:
    payload = bytes(range(256)) * 1000
    server = serve(ok(payload))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/e.zip?token=1", policy, fast_limits)
    assert download.content_length == len(payload)
    assert download.content_type == "application/zip"
    assert download.url == parse_url(f"http://{HOST}:{server.port}/e.zip?token=1")
    chunks = list(download.iter_chunks(10000))
    assert b"".join(chunks) == payload and max(map(len, chunks)) <= 10000
    assert download.closed
    request = server.requests[0]
    assert request.target == "/e.zip?token=1"
    assert request.headers["host"] == f"{HOST}:{server.port}"
    assert request.headers["accept-encoding"] == "identity"
    assert resolver.calls == [(HOST, server.port)]
    assert dial_log.hosts() == {"127.0.0.1"}


def test_success_chunked_and_close_delimited(serve: Serve, resolver: CountingResolver) -> None:
    def chunked(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        exchange.send(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")

    def until_close(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.0 200 OK\r\n\r\nuntil close")

    server = serve(routes({"/chunked": chunked, "/close": until_close}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/chunked", policy, Limits())
    assert download.content_length is None
    assert body_of(download) == b"hello world"
    assert body_of(open_download(f"http://{HOST}:{server.port}/close", policy, Limits())) == (
        b"until close"
    )


def test_a2_13_ipv6_loopback_literal(serve: Serve, resolver: CountingResolver) -> None:
    if not ipv6_loopback_available():
        pytest.skip("no IPv6 loopback here")
    server = serve(ok(b"six"), host="::1")
    policy = policy_for(resolver, f"[::1]:{server.port}")
    assert body_of(open_download(f"http://[::1]:{server.port}/", policy, Limits())) == b"six"
    assert server.requests[0].headers["host"] == f"[::1]:{server.port}"
    assert resolver.count() == 0


def test_parsed_url_input_is_reparsed(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(ok())
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    forged = ParsedUrl("http", "LOCALHOST", server.port, True, "/")
    refusal(SSRF_VALIDATION_FAILED, lambda: open_download(forged, policy, Limits()))
    assert server.accepted == 0


def test_a2_01_loopback_refused_without_allowlist(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(ok())
    policy = policy_for(resolver, allowed_ports=frozenset({80, 443, server.port}))
    refusal(
        SSRF_VALIDATION_FAILED,
        lambda: open_download(f"http://127.0.0.1:{server.port}/", policy, Limits()),
    )
    refusal(
        SSRF_VALIDATION_FAILED,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )
    assert server.accepted == 0


# --- redirects (A-3) -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a3_04_relative_redirect_resolved_against_the_hop(
    status: int, serve: Serve, resolver: CountingResolver
) -> None:
    server = serve(routes({"/a/start": redirect("../p/abc?x=1", status), "/p/abc": ok()}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/a/start", policy, Limits())
    assert download.url.path_query == "/p/abc?x=1"
    assert body_of(download) == b"archive-bytes"
    assert [r.method for r in server.requests] == ["GET", "GET"]
    assert server.requests[1].headers["host"] == f"{HOST}:{server.port}"  # the name, not the IP
    assert resolver.count(HOST) == 2  # once per hop


def test_absolute_redirect_to_another_host_resolves_each_hop_once(
    serve: Serve, resolver: CountingResolver, dial_log: DialLog
) -> None:
    second = serve(ok(b"second"))
    first = serve(redirect(f"http://cdn.example.test:{second.port}/f#frag"))
    policy = policy_for(resolver, f"{HOST}:{first.port}", f"cdn.example.test:{second.port}")
    download = open_download(f"http://{HOST}:{first.port}/", policy, Limits())
    assert body_of(download) == b"second"
    assert resolver.calls == [(HOST, first.port), ("cdn.example.test", second.port)]
    assert second.requests[0].headers["host"] == f"cdn.example.test:{second.port}"
    assert dial_log.hosts() == {"127.0.0.1"}


def test_a3_01_redirect_to_metadata_not_followed(
    serve: Serve, resolver: CountingResolver, dial_log: DialLog
) -> None:
    server = serve(redirect("http://169.254.169.254/latest/meta-data/", 307))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        SSRF_VALIDATION_FAILED,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )
    assert all(host == "127.0.0.1" for host in dial_log.hosts())


def test_a3_01_redirect_to_internal_name_refused_via_resolver(
    serve: Serve, resolver: CountingResolver, dial_log: DialLog
) -> None:
    resolver.set("internal.test", ["10.0.0.5"])
    server = serve(redirect("http://internal.test/admin"))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        SSRF_VALIDATION_FAILED,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )
    assert resolver.count("internal.test") == 1
    assert dial_log.hosts() == {"127.0.0.1"}


def test_a3_01_allowlist_does_not_carry_over_to_the_next_hop(
    serve: Serve, resolver: CountingResolver
) -> None:
    # the first host is allowlisted; its redirect to loopback on another name is judged alone
    server = serve(routes({"/": redirect("/x"), "/x": redirect("http://other.test:80/")}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        SSRF_VALIDATION_FAILED,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )


@pytest.mark.parametrize("hops", [5, 6])
def test_a3_02_at_most_five_redirects(hops: int, serve: Serve, resolver: CountingResolver) -> None:
    table = {f"/r{i}": redirect(f"/r{i + 1}") for i in range(hops)}
    table[f"/r{hops}"] = ok(b"end")
    server = serve(routes(table))
    policy = policy_for(resolver, f"{HOST}:{server.port}")

    def run() -> bytes:
        return body_of(open_download(f"http://{HOST}:{server.port}/r0", policy, Limits()))

    if hops == 5:
        assert run() == b"end"
    else:
        refusal(TOO_MANY_REDIRECTS, run)
        assert len(server.requests) == 6


def test_a3_02_redirect_loop(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(routes({"/a": redirect("/b"), "/b": redirect("/a")}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        TOO_MANY_REDIRECTS,
        lambda: open_download(f"http://{HOST}:{server.port}/a", policy, Limits()),
    )
    assert len(server.requests) == 2


def test_redirect_without_location(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(routes({"/none": redirect(None), "/empty": redirect("")}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    for path in ("/none", "/empty"):
        refusal(
            LOCATION_MISSING,
            lambda path=path: open_download(f"http://{HOST}:{server.port}{path}", policy, Limits()),
        )


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://files.example.test/x.zip",
        "gopher://127.0.0.1:6379/_x",
        "http://user:pw@files.example.test/",
        "http://files.example.test\\@evil.test/",
        "http://127.1/",
        "//localhost/x",
    ],
)
def test_a3_03_redirect_to_other_schemes_or_bad_urls(
    location: str, serve: Serve, resolver: CountingResolver
) -> None:
    server = serve(redirect(location))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        SSRF_VALIDATION_FAILED,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )
    assert len(server.requests) == 1


def test_a3_05_rebinding_resolves_once_and_dials_the_checked_ip(
    serve: Serve, resolver: CountingResolver, dial_log: DialLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[object] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    server = serve(ok(b"pinned"))
    resolver.set(HOST, ["127.0.0.1"], ["10.0.0.5"])  # a second lookup would rebind
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    assert body_of(open_download(f"http://{HOST}:{server.port}/", policy, Limits())) == b"pinned"
    assert resolver.count(HOST) == 1
    assert dial_log.addresses == [("127.0.0.1", server.port)]
    assert HOST not in lookups  # the socket layer only ever saw the checked IP


def test_a3_07_proxy_environment_and_netrc_ignored(
    serve: Serve,
    resolver: CountingResolver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dial_log: DialLog,
) -> None:
    proxy = serve(lambda exchange: exchange.respond(200, b"FROM PROXY"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NO_PROXY", "")
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine {HOST} login admin password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    server = serve(ok(b"direct"))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    assert body_of(open_download(f"http://{HOST}:{server.port}/", policy, Limits())) == b"direct"
    assert proxy.accepted == 0
    assert "authorization" not in server.requests[0].headers
    assert dial_log.addresses == [("127.0.0.1", server.port)]


def test_a3_08_redirect_body_never_read_or_decoded(
    serve: Serve, resolver: CountingResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    for name in ("read", "read1", "stream", "drain_conn"):
        original = getattr(HTTPResponse, name)

        def spy(self: HTTPResponse, *a: object, _n: str = name, _o: object = original, **k: object):  # type: ignore[no-untyped-def]
            reads.append(_n)
            return _o(self, *a, **k)  # type: ignore[operator]

        monkeypatch.setattr(HTTPResponse, name, spy)
    bomb = gzip.compress(b"\0" * (8 << 20))

    def gzip_redirect(exchange: Exchange) -> None:
        exchange.respond(302, bomb, [("Location", "/final"), ("Content-Encoding", "gzip")])

    server = serve(routes({"/": gzip_redirect, "/final": ok(b"final")}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    assert reads == []  # nothing of the redirect body was read, let alone decoded
    assert body_of(download) == b"final"


# --- status and encoding ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404, 500, 300, 304, 101])
def test_a4_07_error_status_fails_before_the_answer(
    status: int, serve: Serve, resolver: CountingResolver
) -> None:
    server = serve(lambda x: x.respond(status, b"<html>login page SECRET</html>", [("X-S", "v")]))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    exc = refusal(
        PROCESSING_REQUEST,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )
    assert "SECRET" not in repr(exc.args) + exc.detail + str(exc.__cause__)


def test_a4_07_html_200_is_delivered_unjudged(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(lambda x: x.respond(200, b"<html>login</html>", [("Content-Type", "text/html")]))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    assert download.content_type == "text/html"
    assert body_of(download) == b"<html>login</html>"


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd", "deflate", "gzip, gzip, gzip", "x-gzip"])
def test_a4_05_content_encoding_refused(
    coding: str, serve: Serve, resolver: CountingResolver
) -> None:
    bomb = gzip.compress(b"\0" * (1 << 20))
    server = serve(lambda x: x.respond(200, bomb, [("Content-Encoding", coding)]))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        PROCESSING_REQUEST,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits()),
    )


def test_a4_05_stacked_encoding_headers_refused(serve: Serve, resolver: CountingResolver) -> None:
    def stacked(x: Exchange) -> None:
        x.respond(200, b"x", [("Content-Encoding", "identity"), ("Content-Encoding", "gzip")])

    server = serve(routes({"/": stacked, "/te": _transfer_gzip}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    for path in ("/", "/te"):
        refusal(
            PROCESSING_REQUEST,
            lambda path=path: open_download(f"http://{HOST}:{server.port}{path}", policy, Limits()),
        )


def _transfer_gzip(x: Exchange) -> None:
    x.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n")


def test_a4_05_gzip_bytes_without_encoding_header_are_not_decoded(
    serve: Serve, resolver: CountingResolver
) -> None:
    packed = gzip.compress(b"A" * 100000)
    server = serve(lambda x: x.respond(200, packed, [("Content-Encoding", "identity")]))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    assert body_of(open_download(f"http://{HOST}:{server.port}/", policy, Limits())) == packed


@pytest.mark.parametrize("value", ["abc", "-1", "10, 20", "1e3"])
def test_malformed_content_length_refused(
    value: str, serve: Serve, resolver: CountingResolver
) -> None:
    server = serve(lambda x: x.send(f"HTTP/1.1 200 OK\r\nContent-Length: {value}\r\n\r\n".encode()))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    with pytest.raises(FetchRefused) as info:
        open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    assert info.value.code in (PROCESSING_REQUEST,)


# --- byte cap (A-4.1, A-4.2) -------------------------------------------------------------------


def test_a4_02_declared_length_above_cap_rejected_early(
    serve: Serve, resolver: CountingResolver
) -> None:
    def huge(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n" + b"x" * 1000)

    server = serve(huge)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        FILE_TOO_LARGE,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits(max_bytes=1 << 20)),
    )


def test_a4_02_content_length_smaller_than_sent_counts_real_bytes(
    serve: Serve, resolver: CountingResolver
) -> None:
    def liar(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(100):
            x.send(b"y" * 10000)

    server = serve(liar)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits(max_bytes=1000))
    assert body_of(download) == b"y" * 100  # exactly the declared bytes, nothing beyond


def test_a4_02_content_length_larger_than_sent_fails(
    serve: Serve, resolver: CountingResolver
) -> None:
    server = serve(lambda x: x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort"))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    refusal(DOWNLOAD_FAILED, lambda: body_of(download))
    assert download.closed


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_a4_01_endless_body_hits_the_cap(
    framing: str, serve: Serve, resolver: CountingResolver
) -> None:
    def endless(x: Exchange) -> None:
        if framing == "chunked":
            x.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            while not x.server.stopping.is_set():
                x.send(b"1000\r\n" + b"z" * 4096 + b"\r\n")
        else:
            x.send(b"HTTP/1.0 200 OK\r\n\r\n")
            while not x.server.stopping.is_set():
                x.send(b"z" * 4096)

    server = serve(endless)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits(max_bytes=100_000))
    received: list[int] = []

    def consume() -> None:
        for chunk in download.iter_chunks(8192):
            received.append(len(chunk))

    refusal(FILE_TOO_LARGE, consume)
    assert sum(received) <= 100_000
    assert download.closed


def test_cap_exactly_reached_is_fine(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(lambda x: x.send(b"HTTP/1.0 200 OK\r\n\r\n" + b"q" * 5000))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits(max_bytes=5000))
    assert len(body_of(download, 1000)) == 5000


# --- time (A-4.3, A-4.4) ---------------------------------------------------------------------


def test_a4_04_closed_port(resolver: CountingResolver) -> None:
    port = closed_port()
    policy = policy_for(resolver, f"{HOST}:{port}")
    refusal(PROCESSING_REQUEST, lambda: open_download(f"http://{HOST}:{port}/", policy, Limits()))


def test_a4_04_no_headers_after_accept(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(lambda x: x.wait(30))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    start = time.monotonic()
    refusal(
        PROCESSING_REQUEST,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits(header_timeout=0.3)),
    )
    assert time.monotonic() - start < 1.5


def test_a4_04_trickled_header_block_hits_the_header_budget(
    serve: Serve, resolver: CountingResolver
) -> None:
    server = serve(lambda x: trickle(x, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 500, 0.05))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    start = time.monotonic()
    refusal(
        PROCESSING_REQUEST,
        lambda: open_download(f"http://{HOST}:{server.port}/", policy, Limits(header_timeout=0.5)),
    )
    assert time.monotonic() - start < 1.5  # each byte beat the per-read timer; the budget did not


def test_a4_03_idle_timeout(serve: Serve, resolver: CountingResolver) -> None:
    def stall(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst")
        x.wait(30)

    server = serve(stall)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits(idle_timeout=0.3))
    chunks = download.iter_chunks()
    assert next(chunks) == b"first"
    start = time.monotonic()
    refusal(DOWNLOAD_FAILED, lambda: next(chunks))
    assert 0.2 < time.monotonic() - start < 1.5


def test_a4_03_trickle_hits_the_total_deadline(serve: Serve, resolver: CountingResolver) -> None:
    def slow(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        trickle(x, b"t" * 1000, 0.05)

    server = serve(slow)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    limits = Limits(idle_timeout=0.5, deadline=0.6)
    start = time.monotonic()
    download = open_download(f"http://{HOST}:{server.port}/", policy, limits)
    refusal(DOWNLOAD_FAILED, lambda: body_of(download, 1))
    assert time.monotonic() - start < 1.5


def test_a4_03_trickle_inside_one_read_hits_the_deadline_watchdog(
    serve: Serve, resolver: CountingResolver
) -> None:
    # A chunk-size line sent one digit at a time keeps a single read call busy; only the
    # watchdog can end it on time.
    def slow_chunk_line(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        trickle(x, b"0" * 2000, 0.02)

    server = serve(slow_chunk_line)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    start = time.monotonic()
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits(deadline=0.6))
    refusal(DOWNLOAD_FAILED, lambda: body_of(download))
    assert time.monotonic() - start < 1.5


def test_a4_03_deadline_uses_the_injected_clock(serve: Serve, resolver: CountingResolver) -> None:
    now = [1000.0]
    server = serve(lambda x: x.send(b"HTTP/1.0 200 OK\r\n\r\n" + b"c" * 300000))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(
        f"http://{HOST}:{server.port}/", policy, Limits(deadline=60), clock=lambda: now[0]
    )
    chunks = download.iter_chunks(1000)
    next(chunks)
    now[0] += 61
    refusal(DOWNLOAD_FAILED, lambda: next(chunks))


def test_a4_03_deadline_covers_the_redirect_phase(serve: Serve, resolver: CountingResolver) -> None:
    now = [0.0]

    def slow_redirect(x: Exchange) -> None:
        now[0] += 40  # every hop "takes" 40 s on the injected clock
        x.respond(302, b"", [("Location", x.request.target + "x")])

    server = serve(routes({"/": slow_redirect, "/x": slow_redirect, "/xx": ok()}))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    refusal(
        PROCESSING_REQUEST,
        lambda: open_download(
            f"http://{HOST}:{server.port}/", policy, Limits(deadline=60), clock=lambda: now[0]
        ),
    )
    assert len(server.requests) == 2


def test_reset_mid_body(serve: Serve, resolver: CountingResolver) -> None:
    def reset(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"r" * 1000)
        x.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        x.sock.close()

    server = serve(reset)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    refusal(DOWNLOAD_FAILED, lambda: body_of(download))


def test_truncated_chunked_body(serve: Serve, resolver: CountingResolver) -> None:
    def truncated(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly-some")

    server = serve(truncated)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    refusal(DOWNLOAD_FAILED, lambda: body_of(download))


# --- cancellation (A-4.9) ----------------------------------------------------------------------


def test_a4_09_close_from_another_thread_stops_a_blocked_read(
    serve: Serve, resolver: CountingResolver
) -> None:
    def stall(x: Exchange) -> None:
        x.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")
        x.wait(30)

    server = serve(stall)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits(idle_timeout=30))
    outcome: list[BaseException | bytes] = []

    def consume() -> None:
        try:
            outcome.append(b"".join(download.iter_chunks()))
        except BaseException as exc:  # collected for the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=consume)
    worker.start()
    time.sleep(0.2)
    start = time.monotonic()
    download.close()
    download.close()  # idempotent
    worker.join(timeout=2)
    assert not worker.is_alive() and time.monotonic() - start < 1.0
    assert isinstance(outcome[0], FetchRefused) and outcome[0].code == DOWNLOAD_FAILED


def test_close_before_reading_and_context_manager(serve: Serve, resolver: CountingResolver) -> None:
    server = serve(ok(b"unused"))
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    with open_download(f"http://{HOST}:{server.port}/", policy, Limits()) as download:
        pass
    assert download.closed
    refusal(DOWNLOAD_FAILED, lambda: list(download.iter_chunks()))
    with pytest.raises(RuntimeError):
        download.iter_chunks()


def test_next_checked_address_tried_when_one_is_unreachable(
    serve: Serve, resolver: CountingResolver, dial_log: DialLog
) -> None:
    server = serve(ok(b"second address"))  # listens on 127.0.0.1 only
    resolver.set(HOST, ["127.0.0.2", "127.0.0.1"])
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    download = open_download(f"http://{HOST}:{server.port}/", policy, Limits())
    assert body_of(download) == b"second address"
    assert dial_log.addresses == [("127.0.0.2", server.port), ("127.0.0.1", server.port)]
    assert resolver.count(HOST) == 1


def test_fixed_codes_and_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        FetchRefused("Connection refused by 10.0.0.1")
    for bad in ({"max_bytes": -1}, {"idle_timeout": 0}, {"deadline": -5}, {"max_redirects": True}):
        with pytest.raises(ValueError):
            Limits(**bad)  # type: ignore[arg-type]


def test_parsed_url_repr_hides_the_query() -> None:
    parsed = parse_url("https://files.example.test/f.zip?token=SECRET")
    assert "SECRET" not in repr(parsed) and "files.example.test/f.zip" in repr(parsed)
