"""The import file store: bytes are stored under names derived from the operation id only.

Nothing from a request, URL or archive reaches a filesystem path. A download is written to
``<id>.part``, fsynced, renamed to ``<id>.import`` and the directory fsynced, so a file that
exists under its final name is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_OP_ID = re.compile(r"^[0-9a-f]{24}$")


def safe_display_name(original: str) -> str:
    """rest-api §3.7: the part after the last slash, unsafe characters to ``_``."""
    name = re.split(r"[/\\]", original)[-1]
    name = _SAFE.sub("_", name).lstrip(".")
    if len(name) > 128:
        name = name[-128:]
    return name or "import-file"


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


class FileStore:
    def __init__(self, root: Path):
        self.root = root

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def _check(self, op_id: str) -> None:
        if not _OP_ID.match(op_id):
            raise ValueError("operation ids are 24 lowercase hex characters")

    def part_path(self, op_id: str) -> Path:
        self._check(op_id)
        return self.root / f"{op_id}.part"

    def final_path(self, op_id: str) -> Path:
        self._check(op_id)
        return self.root / f"{op_id}.import"

    def proven_path(self, op_id: str) -> Path:
        self._check(op_id)
        return self.root / f"{op_id}.proven"

    def write_proven(self, op_id: str, sha256: str | None, members: Sequence[str]) -> None:
        """Record which archive members preparation proved safe to parse plainly.

        Tied to the stored file's hash: :meth:`read_proven` gives nothing for another file.
        Written to a temporary name and renamed, so a reader never sees half of it; losing it
        (a crash before the rename) only costs the import the full parse.
        """
        if sha256 is None:
            return
        path = self.proven_path(op_id)
        temporary = path.with_suffix(".proven-part")
        temporary.write_bytes(orjson.dumps({"sha256": sha256, "members": list(members)}))
        os.replace(temporary, path)

    def read_proven(self, op_id: str, sha256: str | None) -> frozenset[str]:
        """The members :meth:`write_proven` recorded for the file with this hash, else none."""
        try:
            recorded = orjson.loads(self.proven_path(op_id).read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return frozenset()
        if sha256 is None or not isinstance(recorded, dict) or recorded.get("sha256") != sha256:
            return frozenset()
        members = recorded.get("members")
        if not isinstance(members, list):
            return frozenset()
        return frozenset(m for m in members if isinstance(m, str))

    def open_part(self, op_id: str) -> BinaryIO:
        self.ensure()
        return open(self.part_path(op_id), "wb")  # noqa: SIM115 - the writer owns it

    def commit(self, op_id: str, part: BinaryIO, size: int, digest: str) -> StoredFile:
        """fsync the part, rename it into place, fsync the directory."""
        part.flush()
        os.fsync(part.fileno())
        part.close()
        final = self.final_path(op_id)
        os.replace(self.part_path(op_id), final)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return StoredFile(final.name, size, digest)

    def write_all(self, op_id: str, data: bytes) -> StoredFile:
        with self.open_part(op_id) as part:
            part.write(data)
            return self.commit(op_id, part, len(data), hashlib.sha256(data).hexdigest())

    def discard(self, op_id: str) -> None:
        proven = self.proven_path(op_id)
        for path in (
            self.part_path(op_id),
            self.final_path(op_id),
            proven,
            proven.with_suffix(".proven-part"),
        ):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def stored(self) -> dict[str, list[Path]]:
        """Every file of the store, by the operation id its name carries."""
        out: dict[str, list[Path]] = {}
        if not self.root.is_dir():
            return out
        for path in sorted(self.root.iterdir()):
            op_id = path.name.split(".", 1)[0]
            if path.is_file() and _OP_ID.fullmatch(op_id):
                out.setdefault(op_id, []).append(path)
        return out

    def discard_part(self, op_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.part_path(op_id).unlink()

    def verify(self, op_id: str, size: int | None, sha256: str | None) -> bool:
        """A loaded file must still be there with the size and hash recorded at commit."""
        path = self.final_path(op_id)
        if not path.is_file():
            return False
        if size is not None and path.stat().st_size != size:
            return False
        if sha256 is None:
            return True
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256
