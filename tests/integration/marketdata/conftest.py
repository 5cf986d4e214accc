"""Real databases and Redis for the market data stores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.fake_providers import FakeProvider, fake_finnhub, fake_yahoo
from tests.support.services import (
    PG_HOST,
    PG_PORT,
    REDIS_HOST,
    REDIS_PORT,
    PostgresDatabase,
    require,
)
from tradewire.marketdata.adapters.redis_cache import RedisKeyValueStore
from tradewire.marketdata.ports import KeyValueStore
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.marketdata import SqlKeyValueStore
from tradewire.storage.writer import GroupCommitWriter


@pytest.fixture
def sql_backend(db_url: str) -> Iterator[tuple[object, GroupCommitWriter]]:
    """A migrated database (SQLite and PostgreSQL) with a running writer."""
    engine = create_db_engine(db_url)
    upgrade(db_url, engine=engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    yield engine, writer
    writer.stop()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
async def kv_store(request, tmp_path) -> AsyncIterator[KeyValueStore]:
    """Every cache backend: SQLite, PostgreSQL (fresh databases) and the real Redis under a
    prefix unique to this test, emptied afterwards."""
    if request.param == "redis":
        require(REDIS_HOST, REDIS_PORT, "Redis")
        store = RedisKeyValueStore(
            f"redis://{REDIS_HOST}:{REDIS_PORT}/0", f"tw-test:{uuid.uuid4().hex}:"
        )
        yield store
        await store.delete()
        await store.aclose()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tradewire.db'}"
    else:
        require(PG_HOST, PG_PORT, "PostgreSQL")
        database = PostgresDatabase().create()
        request.addfinalizer(database.drop)
        url = database.url
    engine = create_db_engine(url)
    upgrade(url, engine=engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    yield SqlKeyValueStore(engine, writer)
    writer.stop()
    engine.dispose()


@pytest.fixture(scope="module")
def finnhub_server() -> Iterator[FakeProvider]:
    with fake_finnhub() as server:
        yield server


@pytest.fixture(scope="module")
def yahoo_server() -> Iterator[FakeProvider]:
    with fake_yahoo() as server:
        yield server


@pytest.fixture
def finnhub(finnhub_server: FakeProvider) -> FakeProvider:
    """The module's fake Finnhub with no faults queued and no calls recorded."""
    finnhub_server.state.faults.clear()
    finnhub_server.state.arrivals.clear()
    finnhub_server.state.strict_limit = None
    finnhub_server.state.forbidden.clear()
    finnhub_server.state.hang_s = 2.0
    return finnhub_server


@pytest.fixture
def yahoo(yahoo_server: FakeProvider) -> FakeProvider:
    """The module's fake Yahoo with no faults queued and no calls recorded."""
    yahoo_server.state.faults.clear()
    yahoo_server.state.arrivals.clear()
    yahoo_server.state.strict_limit = None
    yahoo_server.state.hang_s = 2.0
    return yahoo_server
