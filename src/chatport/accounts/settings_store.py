"""Reading and writing settings; read per use so a change applies to the next request."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select

from chatport.accounts.settings_registry import SETTINGS, parse_env_value
from chatport.clock import Clock
from chatport.db import tables
from chatport.db.dialect import insert


class SettingsStore:
    def __init__(self, engine: Engine, clock: Clock):
        self._engine = engine
        self._clock = clock

    def get(self, setting_id: str) -> Any:
        definition = SETTINGS[setting_id]
        with self._engine.connect() as conn:
            row = conn.execute(
                select(tables.settings.c.value).where(tables.settings.c.id == setting_id)
            ).first()
        return definition.default if row is None or row[0] is None else row[0]

    def set(self, setting_id: str, value: Any) -> None:
        SETTINGS[setting_id]  # unknown ids are a programming error here
        values = {"id": setting_id, "value": value, "updated_at": self._clock.now_ms()}
        with self._engine.begin() as conn:
            conn.execute(
                insert(conn, tables.settings)
                .values(values)
                .on_conflict_do_update(
                    index_elements=["id"],
                    set_={"value": values["value"], "updated_at": values["updated_at"]},
                )
            )

    def apply_environment(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        for definition in SETTINGS.values():
            raw = env.get(f"CHATPORT_{definition.id.upper()}")
            if raw is not None:
                self.set(definition.id, parse_env_value(definition, raw))
