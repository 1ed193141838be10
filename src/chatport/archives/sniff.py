"""Magic-byte sniffing: the first step of preparation (security-reliability.md §1.5 item 6).

The download never judges content; preparation checks the magic bytes against the importer so a
wrong file FAILs with "not a <format> file" instead of leaving a client polling forever.
"""

from __future__ import annotations

import codecs
import os
from typing import Literal

Kind = Literal["zip", "gzip", "salted", "text", "unknown"]

_HEAD_BYTES = 4096
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # first local header; or the EOCD of an empty zip
_GZIP_MAGIC = b"\x1f\x8b"
_SALTED_MAGIC = b"Salted__"  # OpenSSL ``enc`` output: an encrypted HipChat export
# C0 controls that never appear in UTF-8 text files (tab, LF, VT, FF, CR are allowed).
_BINARY_CONTROLS = bytes(sorted(set(range(0x20)) - set(b"\t\n\x0b\x0c\r")))


def sniff_kind(path: str | os.PathLike[str]) -> Kind:
    """Classify a stored file by its first bytes."""
    with open(path, "rb") as handle:
        return sniff_bytes(handle.read(_HEAD_BYTES))


def sniff_bytes(head: bytes) -> Kind:
    """Classify the first bytes of a file (at least the first 4096 are recommended).

    ``"text"`` means a non-empty, valid UTF-8 start (BOM allowed) without binary control
    characters; a multi-byte character cut by the end of ``head`` is tolerated. An empty file is
    ``"unknown"``.
    """
    if head.startswith(_ZIP_MAGICS):
        return "zip"
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head.startswith(_SALTED_MAGIC):
        return "salted"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _looks_like_text(head: bytes) -> bool:
    body = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
    if not body or len(body.translate(None, _BINARY_CONTROLS)) != len(body):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return False
    return True
