"""pending_items: how many messages an item stands for, and why it failed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:40:00.000000

``downloadPendingFiles`` answers the number of messages waiting for a file (rest-api §4.8:
three messages sharing one file count 3) while the file is fetched once: each item keeps its
message count, so the counters stay a sum over the items table. ``reason`` keeps the words
behind an item's error code ("HTTP 404 from files.slack.com") for the admin page and the
pending run's error list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weight", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_items", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("weight")
