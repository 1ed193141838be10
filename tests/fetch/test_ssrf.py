"""``check_target`` offline: names, ports, allowlist, resolution (A-2 with the fake resolver).

No test here opens a socket; the resolver is the counting fake, and refusals are asserted on
its call log and on the log records (security-reliability §5.1).
"""

from __future__ import annotations

import logging
import socket
import time

import pytest

from chatport.fetch import FetchPolicy, FetchRefused, check_target, parse_url
from chatport.fetch.errors import SSRF_VALIDATION_FAILED
from chatport.fetch.interfaces import _ipv4_local, _ipv6_local, local_addresses
from chatport.fetch.resolver import system_resolver

from .fakes import CountingResolver

PUBLIC = "8.8.8.8"  # only ever classified, never dialled


def refused(url: str, policy: FetchPolicy) -> FetchRefused:
    with pytest.raises(FetchRefused) as info:
        check_target(parse_url(url), policy)
    assert info.value.code == SSRF_VALIDATION_FAILED
    assert str(info.value) == SSRF_VALIDATION_FAILED
    return info.value


def policy(resolver: CountingResolver, **kwargs: object) -> FetchPolicy:
    return FetchPolicy(resolver=resolver, local_addresses=frozenset(), **kwargs)  # type: ignore[arg-type]


def test_public_name_passes_and_returns_checked_addresses(resolver: CountingResolver) -> None:
    resolver.set("public.test", [PUBLIC, "2606:4700:4700::1111", PUBLIC])
    assert check_target(parse_url("https://public.test/x"), policy(resolver)) == [
        PUBLIC,
        "2606:4700:4700::1111",
    ]
    assert resolver.calls == [("public.test", 443)]


A2_TARGETS = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "::1",
    "::",
    "169.254.169.254",
    "169.254.170.2",
    "169.254.170.23",
    "fd00:ec2::254",
    "fd00:ec2::23",
    "fe80::a9fe:a9fe",
    "100.100.100.200",
    "10.0.0.5",
    "172.16.0.1",
    "192.168.0.1",
    "fd00::1",
    "100.64.0.1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",
    "2002:7f00:1::",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "::127.0.0.1",
    "224.0.0.1",
    "ff02::1",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.0.8",
    "198.18.0.1",
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
]


def _literal_url(address: str) -> str:
    return f"http://[{address}]/" if ":" in address else f"http://{address}/"


@pytest.mark.parametrize("address", A2_TARGETS)
def test_a2_01_to_08_refused_as_literal_without_resolution(
    address: str, resolver: CountingResolver
) -> None:
    refused(_literal_url(address), policy(resolver))
    assert resolver.count() == 0


@pytest.mark.parametrize("address", A2_TARGETS)
def test_a2_01_to_08_refused_via_resolved_name(address: str, resolver: CountingResolver) -> None:
    resolver.set("target.test", [address])
    refused("http://target.test/", policy(resolver))
    assert resolver.count("target.test") == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost./",
        "http://x.localhost/",
        "http://printer.local/",
        "http://x.svc.cluster.local/",
        "http://x.internal/",
        "http://host.docker.internal/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata.amazonaws.com/",
    ],
)
def test_a2_12_refused_by_name_before_any_resolution(url: str, resolver: CountingResolver) -> None:
    with pytest.raises(FetchRefused) as info:
        check_target(parse_url(url), policy(resolver))
    assert info.value.code == SSRF_VALIDATION_FAILED
    assert resolver.count() == 0


def test_a2_12_operator_denied_names(resolver: CountingResolver) -> None:
    strict = policy(resolver, extra_denied_names=("corp.test", "*.lan.test"))
    refused("http://corp.test/", strict)
    refused("http://nas.lan.test/", strict)
    assert resolver.count() == 0
    assert check_target(parse_url("http://public.test/"), policy(resolver, allowlist="public.test"))


def test_a2_09_any_denied_address_refuses(resolver: CountingResolver) -> None:
    resolver.set("mixed.test", [PUBLIC, "10.0.0.5"])
    assert refused("http://mixed.test/", policy(resolver)).detail == "denied address range"
    resolver.set("mixed6.test", ["2606:4700:4700::1111", "::ffff:10.0.0.5"])
    refused("http://mixed6.test/", policy(resolver))


def test_a2_10_own_interface_address_refused(resolver: CountingResolver) -> None:
    resolver.set("self.test", [PUBLIC])
    refused(
        "http://self.test/", FetchPolicy(resolver=resolver, local_addresses=frozenset({PUBLIC}))
    )
    assert check_target(parse_url("http://self.test/"), policy(resolver)) == [PUBLIC]


def test_a2_10_interface_addresses_read_from_proc() -> None:
    fib = "Main:\n  +-- 0.0.0.0/0\n     |-- 203.0.113.7\n        /32 host LOCAL\n"
    fib += "     |-- 203.0.113.255\n        /32 link BROADCAST\n"
    assert _ipv4_local(fib) == {"203.0.113.7"}
    inet6 = "20010db8000000000000000000000001 02 40 00 80 eth0\n"
    assert _ipv6_local(inet6) == {"2001:db8::1"}
    found = local_addresses()
    assert isinstance(found, frozenset)


@pytest.mark.parametrize("port", [22, 25, 6379, 11211, 8080, 0])
def test_a2_11_port_not_allowed(port: int, resolver: CountingResolver) -> None:
    assert refused(f"http://public.test:{port}/", policy(resolver)).detail == "port not allowed"
    assert resolver.count() == 0


def test_a2_11_ports_opt_in(resolver: CountingResolver) -> None:
    resolver.set("public.test", [PUBLIC])
    wide = policy(resolver, allowed_ports=frozenset({80, 443, 8080}))
    assert check_target(parse_url("http://public.test:8080/"), wide) == [PUBLIC]


def test_a2_11_allowlist_entry_admits_its_port_only_for_its_host(
    resolver: CountingResolver,
) -> None:
    listed = policy(resolver, allowlist="mock-server.test:8080")
    assert check_target(parse_url("http://mock-server.test:8080/"), listed) == ["127.0.0.1"]
    refused("http://mock-server.test:8081/", listed)
    refused("http://other.test:8080/", listed)


@pytest.mark.parametrize(
    "error", [socket.gaierror(socket.EAI_NONAME, "x"), TimeoutError(), OSError(), ValueError()]
)
def test_a2_14_resolution_failure_refused_like_policy(
    error: BaseException, resolver: CountingResolver
) -> None:
    resolver.errors["gone.test"] = error
    dns = refused("http://gone.test/", policy(resolver))
    resolver.set("private.test", ["10.0.0.1"])
    rule = refused("http://private.test/", policy(resolver))
    assert (dns.code, str(dns), dns.args) == (rule.code, str(rule), rule.args)


def test_a2_14_empty_or_garbage_answers_refused(resolver: CountingResolver) -> None:
    resolver.set("empty.test", [])
    refused("http://empty.test/", policy(resolver))
    resolver.set("garbage.test", ["not-an-ip"])
    refused("http://garbage.test/", policy(resolver))


def test_a2_14_default_resolver_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_lookup(host: str, port: int) -> list[str]:
        time.sleep(1.5)
        return [PUBLIC]

    monkeypatch.setattr("chatport.fetch.resolver._lookup", slow_lookup)
    start = time.monotonic()
    refused("http://slow.test/", FetchPolicy(resolve_timeout=0.2, local_addresses=frozenset()))
    assert time.monotonic() - start < 1.0


def test_default_resolver_on_a_numeric_host_needs_no_dns() -> None:
    assert "127.0.0.1" in system_resolver(2.0)("127.0.0.1", 80)


def test_a2_15_allowlist_exact_host_skips_classification_only(
    resolver: CountingResolver,
) -> None:
    listed = policy(resolver, allowlist="files.example.test")
    resolver.set("files.example.test", ["10.0.0.5"])
    assert check_target(parse_url("http://files.example.test/"), listed) == ["10.0.0.5"]
    assert resolver.count("files.example.test") == 1  # still resolved once, still pinned
    resolver.set("files.example.test.evil.test", ["10.0.0.5"])
    refused("http://files.example.test.evil.test/", listed)
    resolver.set("sub.files.example.test", ["10.0.0.5"])
    refused("http://sub.files.example.test/", listed)
    resolver.set("files.example.test", ["169.254.169.254"])
    refused("http://files.example.test/", listed)
    resolver.set("files.example.test", ["10.0.0.5", "::ffff:169.254.169.254"])
    refused("http://files.example.test/", listed)


def test_a2_15_allowlist_parsing(resolver: CountingResolver) -> None:
    text = " Files.Example.TEST ,\n\n[::1]:8080\r\n127.0.0.1:9000, \u00e9xample.test, bad:port:x"
    listed = policy(resolver, allowlist=text)
    resolver.set("files.example.test", ["10.0.0.5"])
    assert check_target(parse_url("http://files.example.test/"), listed) == ["10.0.0.5"]
    assert check_target(parse_url("http://[::1]:8080/"), listed) == ["::1"]
    assert check_target(parse_url("http://127.0.0.1:9000/"), listed) == ["127.0.0.1"]
    resolver.set("xn--xample-9ua.test", ["10.0.0.6"])
    assert check_target(parse_url("http://\u00e9xample.test/"), listed) == ["10.0.0.6"]
    # a host entry without a port does not admit other ports
    refused("http://files.example.test:8080/", listed)
    # an entry for a port admits that port only when the URL names it
    refused("http://127.0.0.1/", listed)


def test_a2_15_allowlisted_metadata_names_still_refused(resolver: CountingResolver) -> None:
    listed = policy(resolver, allowlist="metadata.google.internal,x.internal")
    refused("http://metadata.google.internal/", listed)
    resolver.set("x.internal", ["10.1.1.1"])
    assert check_target(parse_url("http://x.internal/"), listed) == ["10.1.1.1"]


def test_allowed_hosts_narrowing(resolver: CountingResolver) -> None:
    slack = policy(resolver, allowed_hosts=("files.slack.test", "*.slack-edge.test"))
    resolver.set("files.slack.test", [PUBLIC])
    resolver.set("a.slack-edge.test", [PUBLIC])
    assert check_target(parse_url("https://files.slack.test/x"), slack) == [PUBLIC]
    assert check_target(parse_url("https://a.slack-edge.test/x"), slack) == [PUBLIC]
    for url in (
        "https://slack-edge.test/",
        "https://a.b.slack-edge.test/",
        "https://evilslack-edge.test/",
        "https://files.slack.test.evil.test/",
    ):
        refused(url, slack)
    assert resolver.count() == 2


def test_extra_denied_cidrs(resolver: CountingResolver) -> None:
    resolver.set("public.test", [PUBLIC])
    refused("http://public.test/", policy(resolver, extra_denied_cidrs=("8.8.8.0/24",)))
    refused("http://public.test/", policy(resolver, extra_denied_cidrs=("not a cidr",)))


def test_a11_03_refusal_logs_host_addresses_reason_but_no_query(
    resolver: CountingResolver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resolver.set("internal.test", [PUBLIC, "10.0.0.5"])
    refused("http://internal.test/a?token=SECRET-TOKEN", policy(resolver))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "internal.test" in text and "10.0.0.5" in text and "denied address range" in text
    assert "SECRET-TOKEN" not in text
    assert all(record.name == "chatport.fetch" for record in caplog.records)
