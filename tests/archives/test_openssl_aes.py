"""openssl_aes against the real ``openssl enc`` tool: both key derivations, streaming, damage."""

from __future__ import annotations

import gzip
import io
import os
import subprocess

import pytest

from chatport.archives.openssl_aes import DecryptionError, evp_bytes_to_key, open_decrypted

pytestmark = pytest.mark.timeout(30)

PASSWORD = "correct horse battery staple"


def openssl_encrypt(plain: bytes, password: str, md: str) -> bytes:
    """What HipChat's export tool writes: ``openssl aes-256-cbc -salt -md <md>``."""
    done = subprocess.run(
        ["openssl", "enc", "-aes-256-cbc", "-salt", "-md", md, "-pass", "env:HIPCHAT_PASS"],
        input=plain,
        capture_output=True,
        check=True,
        env={**os.environ, "HIPCHAT_PASS": password},
    )
    return done.stdout


class _Reads(io.BytesIO):
    """Counts how much of the ciphertext has been read, to prove decryption streams."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.high = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.high = self.tell()
        return data


@pytest.mark.parametrize("md", ["md5", "sha256"])
def test_decrypts_what_openssl_encrypts(md: str) -> None:
    plain = gzip.compress(os.urandom(300_000) + b"tail")
    cipher = openssl_encrypt(plain, PASSWORD, md)
    assert cipher.startswith(b"Salted__")
    assert open_decrypted(io.BytesIO(cipher), PASSWORD).read() == plain


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 65536, 65537])
def test_every_padding_length(length: int) -> None:
    plain = b"\x1f\x8b\x08" + b"x" * length
    cipher = openssl_encrypt(plain, PASSWORD, "sha256")
    assert open_decrypted(io.BytesIO(cipher), PASSWORD).read() == plain


def test_decryption_is_a_stream() -> None:
    plain = gzip.compress(os.urandom(2_000_000))
    source = _Reads(openssl_encrypt(plain, PASSWORD, "md5"))
    stream = open_decrypted(source, PASSWORD)
    assert stream.read(100) == plain[:100]
    assert source.high < 300_000  # a few chunks, not the whole 2 MB
    assert stream.read() == plain[100:]


def test_key_derivation_matches_openssl() -> None:
    salt = bytes(range(8))
    for md in ("md5", "sha256"):
        shown = subprocess.run(
            [
                "openssl",
                "enc",
                "-aes-256-cbc",
                "-md",
                md,
                "-S",
                salt.hex(),
                "-P",
                "-pass",
                f"pass:{PASSWORD}",
            ],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        values = {
            k.strip(): v.strip()[:64] for k, v in (ln.split("=", 1) for ln in shown.splitlines())
        }
        key, iv = evp_bytes_to_key(PASSWORD.encode(), salt, md)
        assert (key.hex().upper(), iv.hex().upper()) == (values["key"], values["iv"])


def test_wrong_password_is_refused_up_front() -> None:
    cipher = openssl_encrypt(gzip.compress(b"data"), PASSWORD, "md5")
    with pytest.raises(DecryptionError, match="wrong password"):
        open_decrypted(io.BytesIO(cipher), "not the password")


def test_truncated_ciphertext() -> None:
    cipher = openssl_encrypt(gzip.compress(os.urandom(100_000)), PASSWORD, "sha256")
    with pytest.raises(DecryptionError, match="truncated"):
        open_decrypted(io.BytesIO(cipher[:-5]), PASSWORD).read()
    with pytest.raises(DecryptionError, match="truncated|padding"):
        open_decrypted(io.BytesIO(cipher[:-16]), PASSWORD).read()
    with pytest.raises(DecryptionError, match="truncated"):
        open_decrypted(io.BytesIO(cipher[:20]), PASSWORD)


def test_not_salted() -> None:
    with pytest.raises(DecryptionError, match="Salted__"):
        open_decrypted(io.BytesIO(gzip.compress(b"plain")), PASSWORD)


def test_plaintext_of_another_format_is_refused() -> None:
    cipher = openssl_encrypt(b"PK\x03\x04 a zip, not a gzip" * 10, PASSWORD, "md5")
    with pytest.raises(DecryptionError):
        open_decrypted(io.BytesIO(cipher), PASSWORD)
