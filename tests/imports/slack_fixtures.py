"""Slack export zips for tests: the real fixture export, and small ones built from dicts."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "slack"


def zip_folder(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def zulip_export() -> bytes:
    return zip_folder(FIXTURES / "zulip-test-export")


def build_export(files: dict[str, Any], raw: dict[str, bytes] | None = None) -> bytes:
    """A zip of ``files`` as JSON members, plus ``raw`` members as they are (uploads)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, json.dumps(content))
        for name, data in (raw or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()
