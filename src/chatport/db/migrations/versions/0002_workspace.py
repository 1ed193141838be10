"""workspace: rooms, room import ids, subscriptions, messages, uploads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 21:01:00.758126
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# The documents: JSONB on PostgreSQL, JSON text on SQLite (as ``chatport.db.types.Json``).
DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:

    op.create_table(
        "rooms",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("t", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("name_lower", sa.String(length=255), nullable=True),
        sa.Column("fname", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("dm_key", sa.String(length=64), nullable=True),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("msgs", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("users_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("lm", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("doc", DOC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("name", name=op.f("uq_rooms_name")),
    )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rooms_dm_key"), ["dm_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_rooms_name_lower"), ["name_lower"], unique=False)

    op.create_table(
        "room_import_ids",
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("import_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_room_import_ids_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("namespace", "import_id", name=op.f("pk_room_import_ids")),
    )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("doc", DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["rid"], ["rooms.id"], name=op.f("fk_subscriptions_rid_rooms"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("rid", "user_id", name="uq_subscriptions_rid_user"),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_user", ["user_id", "rid"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("rid", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("tmid", sa.String(length=255), nullable=True),
        sa.Column("u_id", sa.String(length=64), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("doc", DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["rid"], ["rooms.id"], name=op.f("fk_messages_rid_rooms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_rid_ts", ["rid", "ts"], unique=False)
        batch_op.create_index("ix_messages_tmid_ts", ["tmid", "ts"], unique=False)

    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("doc", DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["rid"], ["rooms.id"], name=op.f("fk_uploads_rid_rooms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index("ix_uploads_rid", ["rid"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index("ix_uploads_rid")
    op.drop_table("uploads")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_tmid_ts")
        batch_op.drop_index("ix_messages_rid_ts")
    op.drop_table("messages")

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_user")
    op.drop_table("subscriptions")

    op.drop_table("room_import_ids")

    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_name_lower"))
        batch_op.drop_index(batch_op.f("ix_rooms_dm_key"))
    op.drop_table("rooms")
