"""pending downloads: pending items, avatars, upload blobs, hidden-message index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "avatars",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_avatars_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_avatars")),
    )
    op.create_table(
        "pending_items",
        sa.Column("op_id", sa.String(length=24), nullable=False),
        sa.Column("item_key", sa.String(length=255), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("targets", DOC, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("op_id", "item_key", name=op.f("pk_pending_items")),
    )
    with op.batch_alter_table("pending_items", schema=None) as batch_op:
        batch_op.create_index("ix_pending_items_state", ["op_id", "state", "seq"], unique=False)
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blob_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_hidden",
            ["rid"],
            unique=False,
            sqlite_where=sa.text("hidden = 1"),
            postgresql_where=sa.text("hidden"),
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_messages_hidden",
            sqlite_where=sa.text("hidden = 1"),
            postgresql_where=sa.text("hidden"),
        )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("blob_sha256")
    with op.batch_alter_table("pending_items", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_items_state")
    op.drop_table("pending_items")
    op.drop_table("avatars")
