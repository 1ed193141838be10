"""Column types shared by every table.

JSON documents are stored as JSONB on PostgreSQL (indexable, compact) and as JSON text on
SQLite. Instants are integer milliseconds since the epoch: Rocket.Chat's precision, exact
equality on both backends, and no timezone surprises from drivers.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger
from sqlalchemy.dialects.postgresql import JSONB

# ``none_as_null``: Python ``None`` is SQL NULL, never the JSON text ``null``, so "absent"
# stays testable with ``IS NULL``.
Json = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
Millis = BigInteger
