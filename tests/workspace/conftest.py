"""An engine on a fresh, migrated database per test, on every configured backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from chatport.db.engine import make_engine
from chatport.db.migrate import upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()
