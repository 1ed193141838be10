"""Streaming decryption of OpenSSL ``enc -aes-256-cbc`` output (encrypted HipChat exports).

HipChat Server / Data Center writes its export as ``openssl aes-256-cbc -salt``: the 8 bytes
``Salted__``, an 8-byte salt, then AES-256-CBC ciphertext with PKCS#7 padding. Key and IV come
from ``EVP_BytesToKey`` with one iteration; OpenSSL before 1.1.0 used MD5 for it and newer ones
SHA-256, and the file does not say which (importers.md §5.1). Both are tried, and the one whose
first plaintext block looks like the expected format (a gzip header) wins.

The archive can be gigabytes, so nothing here buffers it: ciphertext is decrypted chunk by
chunk and only the last block is held back until the end, where its padding is checked. The
AES primitive is the ``cryptography`` package's; the key derivation and padding check are
written here because they are the OpenSSL-specific parts.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING, BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .counting import CHUNK
from .errors import ArchiveError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

SALTED_MAGIC = b"Salted__"
SALT_BYTES = 8
BLOCK = 16
KEY_BYTES = 32
#: Key derivations tried, in order (OpenSSL's ``-md`` values).
DIGESTS = ("md5", "sha256")
#: A gzip member starts with its magic and the deflate method byte: the odds that a wrong key
#: produces these three bytes are one in 16 million.
GZIP_PREFIX = b"\x1f\x8b\x08"


class DecryptionError(ArchiveError):
    """The encrypted file cannot be decrypted: wrong password, or damaged or truncated data."""


def evp_bytes_to_key(
    password: bytes, salt: bytes, digest: str, key_len: int = KEY_BYTES, iv_len: int = BLOCK
) -> tuple[bytes, bytes]:
    """OpenSSL's ``EVP_BytesToKey`` with one iteration: ``D_i = H(D_{i-1} || password || salt)``.

    The concatenated ``D_i`` give the key, then the IV.
    """
    derived = b""
    block = b""
    while len(derived) < key_len + iv_len:
        block = hashlib.new(digest, block + password + salt).digest()
        derived += block
    return derived[:key_len], derived[key_len : key_len + iv_len]


def open_decrypted(
    handle: BinaryIO, password: str, expected_prefix: bytes = GZIP_PREFIX
) -> BinaryIO:
    """A readable stream of the plaintext of ``handle`` (positioned at ``Salted__``).

    Raises :class:`DecryptionError` when the header is not OpenSSL's salted format or when
    neither key derivation yields plaintext starting with ``expected_prefix`` (in practice: a
    wrong password). Reads of the returned stream raise :class:`DecryptionError` for a
    truncated ciphertext or bad padding. ``handle`` is not closed.
    """
    header = handle.read(len(SALTED_MAGIC) + SALT_BYTES)
    if not header.startswith(SALTED_MAGIC):
        raise DecryptionError("not an OpenSSL encrypted file (no Salted__ header)")
    if len(header) < len(SALTED_MAGIC) + SALT_BYTES:
        raise DecryptionError("the encrypted export is truncated (incomplete header)")
    salt = header[len(SALTED_MAGIC) :]
    first = handle.read(CHUNK)
    if len(first) < BLOCK:
        raise DecryptionError("the encrypted export is truncated (no encrypted data)")
    secret = password.encode("utf-8")
    for digest in DIGESTS:
        key, iv = evp_bytes_to_key(secret, salt, digest)
        probe = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        if probe.update(first[:BLOCK]).startswith(expected_prefix[:BLOCK]):
            return io.BufferedReader(_Decrypting(handle, key, iv, first), buffer_size=CHUNK)
    raise DecryptionError(
        "cannot decrypt the export: wrong password (hipchat_export_password) "
        "or not an aes-256-cbc export"
    )


class _Decrypting(io.RawIOBase):
    """AES-256-CBC plaintext, one chunk at a time; the final block is unpadded at the end."""

    def __init__(self, handle: BinaryIO, key: bytes, iv: bytes, first: bytes) -> None:
        super().__init__()
        self._handle = handle
        self._decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        self._first: bytes | None = first
        self._held = b""  # the last decrypted block: it may be padding
        self._ready = bytearray()
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        while not self._ready and not self._done:
            self._fill()
        count = min(len(view), len(self._ready))
        view[:count] = self._ready[:count]
        del self._ready[:count]
        return count

    def _fill(self) -> None:
        if self._first is not None:
            chunk, self._first = self._first, None
        else:
            chunk = self._handle.read(CHUNK)
        if not chunk:
            self._finish()
            return
        data = self._held + self._decryptor.update(chunk)
        cut = len(data) - BLOCK if len(data) >= BLOCK else 0
        self._ready += data[:cut]
        self._held = data[cut:]

    def _finish(self) -> None:
        self._done = True
        try:
            tail = self._held + self._decryptor.finalize()
        except ValueError:
            raise DecryptionError(
                "the encrypted export is truncated (incomplete final block)"
            ) from None
        if len(tail) != BLOCK:
            raise DecryptionError("the encrypted export is truncated (incomplete final block)")
        pad = tail[-1]
        if not 1 <= pad <= BLOCK or tail[-pad:] != bytes([pad]) * pad:
            raise DecryptionError("the encrypted export is damaged or truncated (invalid padding)")
        self._ready += tail[:-pad]
        self._held = b""
