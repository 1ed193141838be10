"""the full-text index of message text (FTS5 on SQLite, GIN over tsvector on PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 02:00:00.000000

``chat.search`` needs an index kept exact by every write; see ``chatport.db.search_index``.
Existing messages are indexed here, in the migration's transaction.
"""

from __future__ import annotations

from alembic import op

from chatport.db import search_index

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    search_index.create(op.get_bind())


def downgrade() -> None:
    search_index.drop(op.get_bind())
