"""The database schema (SQLAlchemy Core), the one source of truth for Alembic.

Rocket.Chat documents are kept as JSON next to the indexed columns that queries need; fields
that are absent in a document are absent from its JSON, never stored as null.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from chatport.db.types import Json, Millis

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("username", String(255), nullable=True),
    Column("username_lower", String(255), nullable=True, unique=True),
    Column("email_lower", String(320), nullable=True, index=True),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("roles", Json, nullable=False),
    Column("password_bcrypt", String(100), nullable=True),
    Column("created_at", Millis, nullable=False),
    Column("updated_at", Millis, nullable=False),
    Column("doc", Json, nullable=False),
)

user_import_ids = Table(
    "user_import_ids",
    metadata,
    Column("namespace", String(255), primary_key=True),
    Column("import_id", String(255), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
)

login_tokens = Table(
    "login_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("hashed_token", String(64), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("created_at", Millis, nullable=False),
    Column("expires_at", Millis, nullable=True),
    Column("name", String(255), nullable=True),
    Column("last_token_part", String(16), nullable=True),
    Column("bypass_two_factor", Boolean, nullable=False, server_default=text("false")),
    UniqueConstraint("user_id", "name", name="uq_login_tokens_user_name"),
)

roles = Table(
    "roles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("scope", String(32), nullable=False),
    Column("protected", Boolean, nullable=False),
    Column("description", Text, nullable=False),
)

permissions = Table(
    "permissions",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("roles", Json, nullable=False),
    Column("updated_at", Millis, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("value", Json, nullable=True),
    Column("updated_at", Millis, nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", Millis, nullable=False),
    Column("blocked_until", Millis, nullable=True),
)

import_operations = Table(
    "import_operations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(24), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("importer_key", String(64), nullable=False),
    Column("ts", Millis, nullable=False),
    Column("status", String(64), nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("updated_at", Millis, nullable=False),
    Column("doc", Json, nullable=False),
    Column("stored_name", String(64), nullable=True),
    Column("file_size", Millis, nullable=True),
    Column("file_sha256", String(64), nullable=True),
    Column("source_url", Text, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", Millis, nullable=True),
    Column("heartbeat_at", Millis, nullable=True),
    Column("cancel_requested", Boolean, nullable=False, server_default=text("false")),
    Column("checkpoint", Json, nullable=True),
    Index("ix_import_operations_ts", "ts", "seq"),
    Index("ix_import_operations_updated", "updated_at"),
    # At most one valid (current) operation: a constraint, not only application logic.
    Index(
        "uq_import_operations_one_valid",
        "valid",
        unique=True,
        sqlite_where=text("valid"),
        postgresql_where=text("valid"),
    ),
)

import_staging = Table(
    "import_staging",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(24), nullable=False, unique=True),
    Column("operation_id", String(24), nullable=False),
    Column("data_type", String(16), nullable=False),
    Column("import_id", String(255), nullable=True),
    Column("data", Json, nullable=False),
    Column("source", Json, nullable=True),
    Column("errors", Json, nullable=True),
    Column("warnings", Json, nullable=True),
    Column("skipped", Boolean, nullable=False, server_default=text("false")),
    Column("skip_reason", String(128), nullable=True),
    Column("state", String(16), nullable=False, server_default=text("'pending'")),
    Column("updated_at", Millis, nullable=False),
    Index("ix_import_staging_op_type", "operation_id", "data_type", "seq"),
)

# --- workspace: rooms, subscriptions, messages, uploads --------------------------------------
#
# Each row keeps its Rocket.Chat document in ``doc``.  The other columns are either the only
# copy of a field (``id``, ``ts``, counters, ``updated_at``: rendered back into the document,
# so counters can be bumped without rewriting JSON) or an indexed copy derived from the
# document by the one function that writes it (``chatport.workspace``), so they cannot drift.

rooms = Table(
    "rooms",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("t", String(8), nullable=False),
    # Rocket.Chat keeps room names unique (direct messages have none).
    Column("name", String(255), nullable=True, unique=True),
    Column("name_lower", String(255), nullable=True, index=True),
    Column("fname", Text, nullable=True),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    # sha256 of the sorted member ids of a direct message: finds "the DM of exactly these users".
    Column("dm_key", String(64), nullable=True, index=True),
    Column("ts", Millis, nullable=False),
    Column("msgs", Integer, nullable=False, server_default=text("0")),
    Column("users_count", Integer, nullable=False, server_default=text("0")),
    Column("lm", Millis, nullable=True),
    Column("updated_at", Millis, nullable=False),
    Column("doc", Json, nullable=False),
)

room_import_ids = Table(
    "room_import_ids",
    metadata,
    Column("namespace", String(255), primary_key=True),
    Column("import_id", String(255), primary_key=True),
    Column("room_id", String(64), ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rid", String(64), ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("updated_at", Millis, nullable=False),
    Column("doc", Json, nullable=False),
    UniqueConstraint("rid", "user_id", name="uq_subscriptions_rid_user"),
    Index("ix_subscriptions_user", "user_id", "rid"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("rid", String(64), ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("ts", Millis, nullable=False),
    Column("tmid", String(255), nullable=True),
    Column("u_id", String(64), nullable=False),
    Column("hidden", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", Millis, nullable=False),
    Column("doc", Json, nullable=False),
    Index("ix_messages_rid_ts", "rid", "ts"),
    # Replies only (most messages have no tmid; thread queries all imply ``tmid IS NOT NULL``).
    Index(
        "ix_messages_tmid_ts",
        "tmid",
        "ts",
        sqlite_where=text("tmid IS NOT NULL"),
        postgresql_where=text("tmid IS NOT NULL"),
    ),
    # Hidden messages are few (pending file messages): pending files finds them by this index.
    Index(
        "ix_messages_hidden",
        "rid",
        sqlite_where=text("hidden = 1"),
        postgresql_where=text("hidden"),
    ),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rid", String(64), ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(64), nullable=True),
    Column("updated_at", Millis, nullable=False),
    Column("doc", Json, nullable=False),
    # sha256 of the bytes in the content-addressed upload store (never part of the document).
    Column("blob_sha256", String(64), nullable=True),
    Index("ix_uploads_rid", "rid"),
)

# --- pending files and avatars (importers.md §6) ---------------------------------------------

avatars = Table(
    "avatars",
    metadata,
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("blob_sha256", String(64), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", Millis, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("updated_at", Millis, nullable=False),
)

# One row per item of a pending-files / pending-avatars operation: a distinct
# ``_importFile.id`` (its messages in ``targets``) or a user.  The row carries the item's
# lease, so two workers never fetch the same file and a dead worker's items are re-claimed.
pending_items = Table(
    "pending_items",
    metadata,
    Column("op_id", String(24), primary_key=True),
    Column("item_key", String(255), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("targets", Json, nullable=False),
    Column("state", String(16), nullable=False),
    Column("error", String(64), nullable=True),
    Column("weight", Integer, nullable=False, server_default=text("1")),
    Column("reason", Text, nullable=True),
    Column("lease_owner", String(80), nullable=True),
    Column("lease_until", Millis, nullable=True),
    Column("updated_at", Millis, nullable=False),
    Index("ix_pending_items_state", "op_id", "state", "seq"),
)
