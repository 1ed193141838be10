"""The pure address classifier with literals, offline (security-reliability §1.4, A-2)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatport.fetch import address_allowed, is_link_local_or_metadata
from chatport.fetch.addresses import DENIED_V4, DENIED_V6, embedded_ipv4

ip = ipaddress.ip_address


def denied(text: str) -> None:
    assert address_allowed(ip(text)) is False, text


@pytest.mark.parametrize(
    "text", ["127.0.0.1", "127.255.255.254", "::1", "0.0.0.0", "::", "0.1.2.3"]
)
def test_a2_01_loopback_and_unspecified(text: str) -> None:
    denied(text)


@pytest.mark.parametrize(
    "text",
    [
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "fd00:ec2::254",
        "fd00:ec2::23",
        "fe80::a9fe:a9fe",
        "100.100.100.200",
    ],
)
def test_a2_03_cloud_metadata(text: str) -> None:
    denied(text)
    assert is_link_local_or_metadata(ip(text))


@pytest.mark.parametrize(
    "text",
    ["10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00::1"],
)
def test_a2_04_private_ranges(text: str) -> None:
    denied(text)


def test_a2_04_cgnat_despite_is_private_false() -> None:
    assert ip("100.64.0.1").is_private is False
    denied("100.64.0.1")
    denied("100.127.255.254")


@pytest.mark.parametrize(
    "text",
    [
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "0:0:0:0:0:ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
    ],
)
def test_a2_05_ipv4_mapped(text: str) -> None:
    denied(text)


def test_a2_05_mapped_metadata_stays_metadata() -> None:
    assert is_link_local_or_metadata(ip("::ffff:169.254.169.254"))
    assert is_link_local_or_metadata(ip("64:ff9b::a9fe:a9fe"))


@pytest.mark.parametrize(
    "text", ["64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "64:ff9b:1:abcd::c0a8:1"]
)
def test_a2_06_nat64(text: str) -> None:
    denied(text)


def test_a2_06_nat64_is_global_on_this_interpreter_yet_denied() -> None:
    # The reason for the explicit list: the stdlib calls NAT64 of 127.0.0.1 global.
    assert ip("64:ff9b::7f00:1").is_global is True
    denied("64:ff9b::7f00:1")


@pytest.mark.parametrize(
    "text",
    [
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (obfuscated)
        "2001:0:7f00:1::1",  # Teredo, server 127.0.0.1
        "::127.0.0.1",
        "::10.0.0.1",
    ],
)
def test_a2_07_sixtofour_teredo_compat(text: str) -> None:
    denied(text)


@pytest.mark.parametrize(
    "text",
    [
        "224.0.0.1",
        "239.255.255.250",
        "ff02::1",
        "ff0e::1",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.0.8",
        "192.0.0.170",
        "198.18.0.1",
        "198.19.255.255",
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.1",
        "192.88.99.1",
        "2001:db8::1",
        "100::1",
        "2001:20::1",
        "3fff::1",
        "5f00::1",
        "fec0::1",
    ],
)
def test_a2_08_multicast_reserved_and_documentation(text: str) -> None:
    denied(text)


def test_a2_08_multicast_is_global_yet_denied() -> None:
    assert ip("224.0.0.1").is_global is True
    denied("224.0.0.1")


@pytest.mark.parametrize(
    "text", ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450::1"]
)
def test_public_addresses_allowed(text: str) -> None:
    assert address_allowed(ip(text)) is True
    assert is_link_local_or_metadata(ip(text)) is False


def test_extra_denied_cidrs_apply_to_embedded_addresses() -> None:
    extra = [ipaddress.ip_network("8.8.8.0/24")]
    assert address_allowed(ip("8.8.8.8"), extra) is False
    assert address_allowed(ip("8.8.4.4"), extra) is True
    # the IPv4-compatible form of an admin-denied address is denied on both counts
    assert address_allowed(ip("::8.8.8.8"), extra) is False


def test_scoped_link_local_denied() -> None:
    assert address_allowed(ip("fe80::1%eth0")) is False
    assert is_link_local_or_metadata(ip("fe80::1%eth0"))


# --- property: no wrapping smuggles a denied IPv4 address past the classifier ----------------

_denied_v4 = st.sampled_from(DENIED_V4).flatmap(
    lambda net: st.integers(int(net.network_address), int(net.broadcast_address)).map(
        ipaddress.IPv4Address
    )
)
_bits16 = st.integers(0, 0xFFFF)
_bits32 = st.integers(0, 0xFFFFFFFF)


def _v6(value: int) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(value)


def _wraps(v4: ipaddress.IPv4Address) -> st.SearchStrategy[ipaddress.IPv6Address]:
    n = int(v4)
    return st.one_of(
        st.just(_v6((0xFFFF << 32) | n)),  # IPv4-mapped
        st.just(_v6(n)),  # IPv4-compatible
        _bits16.flatmap(lambda sub: st.just(_v6((0x2002 << 112) | (n << 80) | sub))),  # 6to4
        st.tuples(_bits32, _bits16).map(  # Teredo with the address as server
            lambda t: _v6((0x20010000 << 96) | (n << 64) | (t[1] << 32) | t[0])
        ),
        st.tuples(_bits32, _bits16).map(  # Teredo with the address as (obfuscated) client
            lambda t: _v6((0x20010000 << 96) | (t[0] << 64) | (t[1] << 32) | (n ^ 0xFFFFFFFF))
        ),
        st.just(_v6((0x64FF9B << 96) | n)),  # NAT64 well-known prefix
        st.integers(0, (1 << 48) - 1).map(  # NAT64 local-use prefix, last 32 bits
            lambda mid: _v6((0x0064FF9B0001 << 80) | (mid << 32) | n)
        ),
    )


@given(_denied_v4.flatmap(lambda v4: st.tuples(st.just(v4), _wraps(v4))))
def test_property_classifier_never_allows_a_denied_range_in_any_wrapping(
    pair: tuple[ipaddress.IPv4Address, ipaddress.IPv6Address],
) -> None:
    v4, wrapped = pair
    assert address_allowed(v4) is False
    assert v4 in embedded_ipv4(wrapped)
    assert address_allowed(wrapped) is False


@given(
    st.sampled_from(DENIED_V6).flatmap(
        lambda net: st.integers(int(net.network_address), int(net.broadcast_address))
    )
)
def test_property_denied_ipv6_ranges(value: int) -> None:
    assert address_allowed(ipaddress.IPv6Address(value)) is False


@given(st.ip_addresses(v=4))
def test_property_allowed_v4_is_outside_every_denied_range(v4: ipaddress.IPv4Address) -> None:
    if address_allowed(v4):
        assert not any(v4 in net for net in DENIED_V4)
        assert v4.is_global and not v4.is_multicast
    # whatever the address, its wrapped forms are never allowed (the prefixes are denied too)
    assert address_allowed(ipaddress.IPv6Address((0xFFFF << 32) | int(v4))) is False
    assert address_allowed(ipaddress.IPv6Address((0x64FF9B << 96) | int(v4))) is False
