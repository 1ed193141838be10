"""Member-name normalisation, junk detection, error display and magic-byte sniffing."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatport.archives import (
    ArchiveLimits,
    display_name,
    is_junk,
    safe_member_name,
    sniff_bytes,
    sniff_kind,
)

pytestmark = pytest.mark.timeout(10)


@pytest.mark.parametrize(
    "raw",
    [
        "../evil.txt",
        "/abs.txt",
        "a/../../b.txt",
        "a/..",
        "..",
        "C:\\win.txt",
        "C:win.txt",
        "c:/x",
        "dir\\..\\x",
        "a\x00b",
        "",
        "/",
        "./",
        "a/" * 2100 + "x",
    ],
)
def test_unsafe_names_never_match(raw: str) -> None:
    assert safe_member_name(raw) is None


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("users.json", "users.json"),
        ("./users.json", "users.json"),
        ("export//general/./2020-01-01.json", "export/general/2020-01-01.json"),
        ("general/", "general"),
        ("café/…/x.json", "café/…/x.json"),
        ("...json", "...json"),
        ("a..b/c", "a..b/c"),
    ],
)
def test_safe_names_are_normalised(raw: str, safe: str) -> None:
    assert safe_member_name(raw) == safe


@given(st.text())
def test_safe_names_never_escape(raw: str) -> None:
    safe = safe_member_name(raw)
    if safe is None:
        return
    parts = safe.split("/")
    assert ".." not in parts and "" not in parts and "." not in parts
    assert not safe.startswith("/") and "\\" not in safe and "\x00" not in safe
    assert safe_member_name(safe) == safe


def test_name_length_cap_is_in_utf8_bytes() -> None:
    assert safe_member_name("é" * 2048) is not None  # 4096 bytes
    assert safe_member_name("é" * 2049) is None
    assert safe_member_name("é" * 10, max_bytes=ArchiveLimits().max_name_bytes) is not None


@pytest.mark.parametrize(
    ("name", "junk"),
    [
        ("__MACOSX/._users.json", True),
        ("export/__MACOSX/x", True),
        (".DS_Store", True),
        ("general/.DS_Store", True),
        ("users.json", False),
        ("__MACOSX.json", False),
        ("general/.DS_Store.json", False),
    ],
)
def test_junk(name: str, junk: bool) -> None:
    assert is_junk(name) is junk


def test_display_name_escapes_and_truncates() -> None:
    assert display_name("a\nb\x1b[31m") == "a\\nb\\x1b[31m"
    shown = display_name("x" * 1000)
    assert len(shown) == 120 and shown.endswith("…")
    assert display_name("\udcff") == "\\udcff"


def test_sniff_kinds(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a", b"b")
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    samples = {
        "zip": buffer.getvalue(),
        "empty-zip": empty.getvalue(),
        "gzip": gzip.compress(b"x"),
        "salted": b"Salted__" + bytes(8) + b"\x91\x02",
        "csv": "\ufeffusername,email\nann,ann@example.com\n".encode(),
        "cut": ("é" * 3000).encode(),  # a character split at 4096 bytes is still text
        "png": b"\x89PNG\r\n\x1a\n" + bytes(20),
        "utf16": "username\n".encode("utf-16"),
        "latin1": "café\n".encode("latin-1"),
        "empty": b"",
        "html": b"<!doctype html><html>revoked</html>",
    }
    expected = {
        "zip": "zip",
        "empty-zip": "zip",
        "gzip": "gzip",
        "salted": "salted",
        "csv": "text",
        "cut": "text",
        "png": "unknown",
        "utf16": "unknown",
        "latin1": "unknown",
        "empty": "unknown",
        "html": "text",
    }
    for label, data in samples.items():
        path = tmp_path / label
        path.write_bytes(data)
        assert sniff_kind(path) == expected[label], label
        assert sniff_bytes(data[:4096]) == expected[label], label


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        ArchiveLimits(max_entries=0)
