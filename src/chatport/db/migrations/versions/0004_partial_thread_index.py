"""messages: the thread index covers replies only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 02:40:00.000000

Three messages in four are not thread replies (``tmid`` is null), and nothing looks messages
up by a null ``tmid``: indexing only the replies spares a bulk import one B-tree insert per
ordinary message. ``tmid = ?`` and ``tmid IN (...)`` imply ``tmid IS NOT NULL``, so both
SQLite's and PostgreSQL's planners still use the index for every thread query.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_REPLIES = sa.text("tmid IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_tmid_ts")
        batch_op.create_index(
            "ix_messages_tmid_ts",
            ["tmid", "ts"],
            unique=False,
            sqlite_where=_REPLIES,
            postgresql_where=_REPLIES,
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_tmid_ts")
        batch_op.create_index("ix_messages_tmid_ts", ["tmid", "ts"], unique=False)
