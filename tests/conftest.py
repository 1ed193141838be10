"""Shared fixtures: every HTTP test runs against a real server on each database backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.databases import backends, fresh_database
from tests.support.server import LiveServer, start_server


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    """An engine on a fresh database, migrated to the newest schema."""
    from chatport.db.engine import make_engine
    from chatport.db.migrate import upgrade

    eng = make_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def make_server(database_url: str, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def factory(**overrides: Any) -> LiveServer:
        live = start_server(database_url, tmp_path / "data", **overrides)
        started.append(live)
        return live

    yield factory
    for live in started:
        live.stop()


@pytest.fixture
def server(make_server: Callable[..., LiveServer]) -> LiveServer:
    return make_server()


@pytest.fixture
def files() -> Iterator[Any]:
    from tests.support.fileserver import file_server

    with file_server() as srv:
        yield srv
