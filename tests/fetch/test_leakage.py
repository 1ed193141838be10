"""A-11: errors that are not an oracle, and logs without secrets (security-reliability §1.11)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest

from chatport.fetch import FetchPolicy, FetchRefused, Limits, open_download
from chatport.fetch.errors import PROCESSING_REQUEST, SSRF_VALIDATION_FAILED
from chatport.fetch.logsafe import QueryRedactingFilter

from .fakes import CountingResolver, policy_for
from .loopback import Exchange, LoopbackServer, closed_port

Serve = Callable[..., LoopbackServer]
HOST = "files.example.test"
SECRET = "SECRET-TOKEN-123"


def failure(url: str, policy: FetchPolicy, limits: Limits | None = None) -> FetchRefused:
    with pytest.raises(FetchRefused) as info:
        download = open_download(url, policy, limits or Limits(header_timeout=0.3))
        with download:
            b"".join(download.iter_chunks())
    return info.value


def surface(exc: FetchRefused) -> tuple[str, str, tuple[object, ...]]:
    return exc.code, str(exc), exc.args


def test_a11_01_closed_open_404_and_filtered_ports_look_identical(
    serve: Serve, resolver: CountingResolver
) -> None:
    not_found = serve(lambda x: x.respond(404, b"nginx/1.2 Not Found", [("Server", "nginx")]))
    filtered = serve(lambda x: x.wait(30))  # accepts, never answers: a filtered port's look
    port = closed_port()
    policy = policy_for(
        resolver, f"{HOST}:{port}", f"{HOST}:{not_found.port}", f"{HOST}:{filtered.port}"
    )
    results = [
        surface(failure(f"http://{HOST}:{p}/", policy))
        for p in (port, not_found.port, filtered.port)
    ]
    assert results == [(PROCESSING_REQUEST, PROCESSING_REQUEST, (PROCESSING_REQUEST,))] * 3


def test_a11_01_policy_refusal_and_dns_failure_look_identical(resolver: CountingResolver) -> None:
    resolver.errors["nxdomain.test"] = socket.gaierror(socket.EAI_NONAME, "Name not known")
    resolver.set("private.test", ["10.0.0.8"])
    policy = policy_for(resolver)
    dns = failure("http://nxdomain.test/", policy)
    rule = failure("http://private.test/", policy)
    assert (
        surface(dns)
        == surface(rule)
        == (
            SSRF_VALIDATION_FAILED,
            SSRF_VALIDATION_FAILED,
            (SSRF_VALIDATION_FAILED,),
        )
    )


def test_a11_02_upstream_body_and_headers_never_relayed(
    serve: Serve, resolver: CountingResolver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    def leaky(exchange: Exchange) -> None:
        exchange.respond(500, f"stack trace {SECRET}".encode(), [("X-Debug", SECRET)])

    server = serve(leaky)
    exc = failure(f"http://{HOST}:{server.port}/", policy_for(resolver, f"{HOST}:{server.port}"))
    everything = " ".join(
        [str(exc), repr(exc.args), exc.detail, repr(exc.__cause__), repr(exc.__context__)]
    )
    assert SECRET not in everything
    assert SECRET not in caplog.text


def test_a11_03_logs_carry_no_query_token_or_body(
    serve: Serve, resolver: CountingResolver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    def handle(exchange: Exchange) -> None:
        target = exchange.request.target
        if target.startswith("/start"):
            exchange.respond(302, SECRET.encode(), [("Location", f"/file?sig={SECRET}")])
        elif target.startswith("/file"):
            exchange.respond(200, f"body {SECRET}".encode())
        else:
            exchange.respond(404, SECRET.encode())

    server = serve(handle)
    resolver.set("internal.test", ["10.0.0.9"])
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    base = f"http://{HOST}:{server.port}"
    download = open_download(f"{base}/start?token={SECRET}", policy, Limits())
    assert SECRET.encode() in b"".join(download.iter_chunks())
    failure(f"{base}/missing?token={SECRET}", policy)
    failure(f"http://internal.test/x?token={SECRET}", policy)
    assert SECRET not in caplog.text
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("internal.test" in m and "10.0.0.9" in m and "reason=" in m for m in refusals)


def test_a11_03_urllib3_header_warning_is_redacted(
    serve: Serve, resolver: CountingResolver, caplog: pytest.LogCaptureFixture
) -> None:
    # urllib3 logs the request URL, query included, when response headers are malformed.
    caplog.set_level(logging.DEBUG)

    def malformed(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\n Folded: start\r\nContent-Length: 2\r\n\r\nok")

    server = serve(malformed)
    policy = policy_for(resolver, f"{HOST}:{server.port}")
    try:
        with open_download(f"http://{HOST}:{server.port}/f?token={SECRET}", policy, Limits()) as d:
            b"".join(d.iter_chunks())
    except FetchRefused:
        pass
    assert SECRET not in caplog.text


def test_query_redacting_filter_on_a_record() -> None:
    record = logging.LogRecord(
        "urllib3.connection", logging.WARNING, __file__, 1, "url=%s", (f"/x?t={SECRET}",), None
    )
    assert QueryRedactingFilter().filter(record)
    assert SECRET not in record.getMessage()
