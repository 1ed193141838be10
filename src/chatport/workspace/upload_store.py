"""The upload store: file and avatar bytes under ``<data dir>/uploads/``, content-addressed.

Why content-addressed: a blob's name is the sha256 of its bytes, so a worker that dies between
writing a blob and committing the row that references it leaves at worst an orphan that the
next writer of the same bytes reuses, never a second copy or a half file under a real name
(security-reliability §4.6). Bytes are written to a temporary name in the same directory tree
and renamed into place, so a reader never sees a partial blob. Nothing from a URL or an archive
reaches a path: names are hex digests and random temporary names only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from pathlib import Path
from types import TracebackType

HEAD_BYTES = 256 * 1024  # kept in memory for type sniffing and image dimensions
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobWriter:
    """One blob being written: ``write`` chunks, then ``commit`` (or leave the ``with``)."""

    def __init__(self, store: UploadStore) -> None:
        self._store = store
        self._temp = store.temp_dir / f"{secrets.token_hex(16)}.part"
        self._file = open(self._temp, "xb")  # noqa: SIM115 - closed in commit/discard
        self._digest = hashlib.sha256()
        self.size = 0
        self.head = bytearray()
        self.sha256: str | None = None

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._digest.update(chunk)
        self.size += len(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]

    def commit(self) -> str:
        """Flush, fsync and rename into place; returns the sha256 that names the blob."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        sha = self._digest.hexdigest()
        target = self._store.blob_path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._temp, target)
        self.sha256 = sha
        return sha

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._temp.unlink()

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.sha256 is None:
            self.discard()


class UploadStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.temp_dir = root / "tmp"

    def ensure(self) -> None:
        self.temp_dir.mkdir(parents=True, exist_ok=True)

    def blob_path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / "blobs" / sha256[:2] / sha256

    def writer(self) -> BlobWriter:
        self.ensure()
        return BlobWriter(self)

    def put_bytes(self, data: bytes) -> BlobWriter:
        """Store ``data`` whole (``data:`` URIs, small archive members); the writer is committed."""
        with self.writer() as blob:
            blob.write(data)
            blob.commit()
        return blob

    def exists(self, sha256: str) -> bool:
        return self.blob_path(sha256).is_file()
