"""Alembic environment: always driven programmatically by ``chatport.db.migrate``."""

from __future__ import annotations

from alembic import context

from chatport.db.search_index import outside_tables_py
from chatport.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=lambda name, type_, parent: not outside_tables_py(name, type_, parent),
)
with context.begin_transaction():
    context.run_migrations()
