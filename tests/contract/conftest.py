"""Real databases for the contract suites: a SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.contract.backends import OpenDatabase
from tests.support.services import PG_HOST, PG_PORT, PostgresDatabase, require
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.writer import GroupCommitWriter


@pytest.fixture
def open_database(request: pytest.FixtureRequest, tmp_path) -> OpenDatabase:
    """Open a migrated database of a kind (``sqlite`` or ``postgresql``) with a running writer;
    everything is stopped, and a PostgreSQL database dropped, after the test."""

    def open_(kind: str) -> tuple[Engine, GroupCommitWriter]:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / 'tradewire.db'}"
        else:
            require(PG_HOST, PG_PORT, "PostgreSQL")
            database = PostgresDatabase().create()
            request.addfinalizer(database.drop)
            url = database.url
        engine = create_db_engine(url)
        request.addfinalizer(engine.dispose)
        upgrade(url, engine=engine)
        writer = GroupCommitWriter(engine)
        writer.start()
        request.addfinalizer(writer.stop)
        return engine, writer

    return open_
