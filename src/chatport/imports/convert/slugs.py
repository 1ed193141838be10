"""Room name slugs (importers §1.8): ASCII, case kept, safe characters only."""

from __future__ import annotations

import re
import unicodedata

VALID_NAME = re.compile(r"^[0-9a-zA-Z._-]+$")
_UNSAFE_RUN = re.compile(r"[^0-9A-Za-z_.-]+")


def slugify(name: str, import_id: str) -> str:
    trimmed = name.strip()
    if VALID_NAME.match(trimmed):
        return trimmed
    decomposed = unicodedata.normalize("NFKD", trimmed)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = _UNSAFE_RUN.sub("-", ascii_only).strip("-")
    return slug or f"room-{import_id}"
