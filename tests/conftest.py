"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.server import ServerProcess
from tests.support.services import PG_HOST, PG_PORT, PostgresDatabase, require


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    require(PG_HOST, PG_PORT, "PostgreSQL")
    database = PostgresDatabase().create()
    try:
        yield database.url
    finally:
        database.drop()


@pytest.fixture
def database() -> Iterator[PostgresDatabase]:
    """A fresh PostgreSQL database of this test's own, dropped afterwards."""
    require(PG_HOST, PG_PORT, "PostgreSQL")
    database = PostgresDatabase().create()
    yield database
    database.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each database tradewire supports: a new SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tradewire.db'}"
    require(PG_HOST, PG_PORT, "PostgreSQL")
    database = PostgresDatabase().create()
    request.addfinalizer(database.drop)
    return database.url


@pytest.fixture
def server_factory(tmp_path) -> Iterator:
    """Start real servers (subprocesses); all are stopped after the test."""
    started: list[ServerProcess] = []

    def start(env: dict[str, str] | None = None, command: str = "serve") -> ServerProcess:
        server = ServerProcess(tmp_path / f"server{len(started)}", env, command).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
