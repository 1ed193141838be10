"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 20:43:46.749115
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "import_operations",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("importer_key", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("heartbeat_at", sa.BigInteger(), nullable=True),
        sa.Column(
            "cancel_requested", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column(
            "checkpoint", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_import_operations")),
        sa.UniqueConstraint("id", name=op.f("uq_import_operations_id")),
    )
    with op.batch_alter_table("import_operations", schema=None) as batch_op:
        batch_op.create_index("ix_import_operations_ts", ["ts", "seq"], unique=False)
        batch_op.create_index("ix_import_operations_updated", ["updated_at"], unique=False)
        batch_op.create_index(
            "uq_import_operations_one_valid",
            ["valid"],
            unique=True,
            sqlite_where=sa.text("valid"),
            postgresql_where=sa.text("valid"),
        )

    op.create_table(
        "import_staging",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("operation_id", sa.String(length=24), nullable=False),
        sa.Column("data_type", sa.String(length=16), nullable=False),
        sa.Column("import_id", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column(
            "source", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column(
            "errors", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column(
            "warnings", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("skipped", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("skip_reason", sa.String(length=128), nullable=True),
        sa.Column(
            "state", sa.String(length=16), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_import_staging")),
        sa.UniqueConstraint("id", name=op.f("uq_import_staging_id")),
    )
    with op.batch_alter_table("import_staging", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_staging_op_type", ["operation_id", "data_type", "seq"], unique=False
        )

    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("blocked_until", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    op.create_table(
        "permissions",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column(
            "roles", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permissions")),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("protected", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
    )
    op.create_table(
        "settings",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("value", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("username_lower", sa.String(length=255), nullable=True),
        sa.Column("email_lower", sa.String(length=320), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column(
            "roles", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("password_bcrypt", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username_lower", name=op.f("uq_users_username_lower")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email_lower"), ["email_lower"], unique=False)

    op.create_table(
        "login_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("hashed_token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("last_token_part", sa.String(length=16), nullable=True),
        sa.Column(
            "bypass_two_factor", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_tokens")),
        sa.UniqueConstraint("hashed_token", name=op.f("uq_login_tokens_hashed_token")),
        sa.UniqueConstraint("user_id", "name", name="uq_login_tokens_user_name"),
    )
    op.create_table(
        "user_import_ids",
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("import_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_import_ids_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("namespace", "import_id", name=op.f("pk_user_import_ids")),
    )


def downgrade() -> None:

    op.drop_table("user_import_ids")
    op.drop_table("login_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_email_lower"))

    op.drop_table("users")
    op.drop_table("settings")
    op.drop_table("roles")
    op.drop_table("permissions")
    op.drop_table("login_failures")
    with op.batch_alter_table("import_staging", schema=None) as batch_op:
        batch_op.drop_index("ix_import_staging_op_type")

    op.drop_table("import_staging")
    with op.batch_alter_table("import_operations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_import_operations_one_valid",
            sqlite_where=sa.text("valid"),
            postgresql_where=sa.text("valid"),
        )
        batch_op.drop_index("ix_import_operations_updated")
        batch_op.drop_index("ix_import_operations_ts")

    op.drop_table("import_operations")
