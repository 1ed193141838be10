"""The 0002 migration creates exactly the workspace tables of ``tables.py``, and reverts."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from chatport.db.migrate import alembic_config
from chatport.db.search_index import outside_tables_py
from chatport.db.tables import metadata

WORKSPACE_TABLES = {"rooms", "room_import_ids", "subscriptions", "messages", "uploads"}


def test_migrations_match_the_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, parent: (
                    not outside_tables_py(name, type_, parent)
                ),
            },
        )
        diff = compare_metadata(context, metadata)
    assert diff == []
    assert set(inspect(engine).get_table_names()) >= WORKSPACE_TABLES


def test_downgrade_to_0001_and_back(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert not WORKSPACE_TABLES & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert set(inspect(engine).get_table_names()) >= WORKSPACE_TABLES
