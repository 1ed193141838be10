"""Type sniffing and image dimensions from headers (no Pillow)."""

from __future__ import annotations

import struct

import pytest

from chatport.workspace.media import image_dimensions, sniff
from tests.imports.pending_support import png


def _jpeg(width: int, height: int) -> bytes:
    app0 = (
        b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    )
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 300) + b"x" * 300
    sof = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + exif + sof + b"\xff\xda" + b"\x00" * 20


def _webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def _webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


@pytest.mark.parametrize(
    ("data", "kind", "dims"),
    [
        (png(7, 5), "image/png", (7, 5)),
        (b"GIF89a" + struct.pack("<HH", 640, 480) + b"\x00" * 8, "image/gif", (640, 480)),
        (_jpeg(1024, 768), "image/jpeg", (1024, 768)),
        (_webp_vp8x(300, 200), "image/webp", (300, 200)),
        (_webp_vp8l(33, 17), "image/webp", (33, 17)),
    ],
)
def test_image_types_and_dimensions(data: bytes, kind: str, dims: tuple[int, int]) -> None:
    assert sniff(data, "whatever.bin") == kind
    assert image_dimensions(data, kind) == dims


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"<!DOCTYPE html><html>login</html>", "report.pdf", "text/html"),
        (b"  <html><body>x", "a.png", "text/html"),
        (b'<?xml version="1.0"?><svg onload="x">', "a.png", "image/svg+xml"),
        (b"%PDF-1.7 ...", "a.txt", "application/pdf"),
        (b"ID3\x04rest", "a", "audio/mpeg"),
        (b"\x00\x00\x00\x18ftypmp42", "clip", "video/mp4"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "a", "audio/wav"),
        (b"hello, world", "notes.txt", "text/plain"),
        (b"hello, world", "page.html", "application/octet-stream"),  # a name never makes HTML
        (b"\x00\x01\x02", "tool.exe", "application/octet-stream"),
    ],
)
def test_sniffed_types(data: bytes, name: str, kind: str) -> None:
    assert sniff(data, name) == kind


def test_truncated_or_absurd_headers_give_no_dimensions() -> None:
    assert image_dimensions(png(3, 3)[:20], "image/png") is None
    assert image_dimensions(b"\xff\xd8\xff\xe0\x00", "image/jpeg") is None
    assert image_dimensions(b"GIF89a\x00\x00\x00\x00", "image/gif") is None
    assert image_dimensions(b"\x89PNG", "text/plain") is None
