"""What a stored file is: its type sniffed from the bytes, and an image's dimensions.

Why sniff: the sender's ``Content-Type`` and the file name are attacker input (a revoked Slack
link answers with an HTML login page; an "image" may be a script). The stored type comes from
the magic bytes where a format has them, else from the name's extension for harmless types,
else ``application/octet-stream`` (security-reliability §1.8.4). Dimensions are read from the
image headers (PNG, GIF, JPEG, WebP) without decoding pixels and without Pillow.
"""

from __future__ import annotations

import mimetypes
import struct

OCTET = "application/octet-stream"
VETTED_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
HTML = "text/html"

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\x1f\x8b", 0, "application/gzip"),
)
# Types a name may give when the bytes have no magic: plain data, never active content.
_NAME_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "application/json",
        "audio/mpeg",
        "audio/wav",
        "video/mp4",
        "video/quicktime",
    }
)


def _riff(head: bytes) -> str | None:
    if head[:4] != b"RIFF" or len(head) < 12:
        return None
    return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(head[8:12])


def _markup(head: bytes) -> str | None:
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return HTML
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "image/svg+xml"
    return None


def sniff(head: bytes, name: str = "") -> str:
    """The stored type of a file whose first bytes are ``head``."""
    for magic, offset, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    found = _riff(head) or _markup(head)
    if found:
        return found
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    guessed = mimetypes.guess_type(name, strict=False)[0] if name else None
    return guessed if guessed in _NAME_TYPES else OCTET


def _png(head: bytes) -> tuple[int, int] | None:
    if len(head) >= 24 and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    return None


def _gif(head: bytes) -> tuple[int, int] | None:
    return struct.unpack("<HH", head[6:10]) if len(head) >= 10 else None


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg(head: bytes) -> tuple[int, int] | None:
    """Walk the segments to the first start-of-frame marker."""
    pos = 2
    while pos + 4 <= len(head):
        if head[pos] != 0xFF:
            return None
        marker = head[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", head[pos + 2 : pos + 4])
        if marker in _SOF:
            if pos + 9 > len(head):
                return None
            height, width = struct.unpack(">HH", head[pos + 5 : pos + 9])
            return width, height
        if length < 2:
            return None
        pos += 2 + length
    return None


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(head) >= 30:
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    return None


_DIMENSIONS = {"image/png": _png, "image/gif": _gif, "image/jpeg": _jpeg, "image/webp": _webp}


def image_dimensions(head: bytes, kind: str) -> tuple[int, int] | None:
    """``(width, height)`` from the headers, or None when unknown or implausible."""
    reader = _DIMENSIONS.get(kind)
    if reader is None:
        return None
    try:
        found = reader(head)
    except struct.error:
        return None
    if found is None or not all(0 < v <= 1 << 16 for v in found):
        return None
    return int(found[0]), int(found[1])


def is_html_name(name: str) -> bool:
    return name.lower().endswith((".html", ".htm", ".xhtml"))
