"""KeyValueStore adapters under contract: the in-memory fake, the SQL store on SQLite and
PostgreSQL, and the real Redis under a prefix unique to the test (emptied afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.fakes.kv_store import MemoryKeyValueStore
from tests.support.services import REDIS_HOST, REDIS_PORT, require
from tradewire.marketdata.adapters.redis_cache import RedisKeyValueStore
from tradewire.marketdata.ports import KeyValueStore
from tradewire.storage.repositories.marketdata import SqlKeyValueStore


@pytest.fixture(params=["memory", *backends.SQL, backends.REDIS])
async def store(
    request: pytest.FixtureRequest, open_database: OpenDatabase
) -> AsyncIterator[KeyValueStore]:
    if request.param == "memory":
        yield MemoryKeyValueStore()
    elif request.param == "redis":
        require(REDIS_HOST, REDIS_PORT, "Redis")
        redis = RedisKeyValueStore(
            f"redis://{REDIS_HOST}:{REDIS_PORT}/0", f"tw-contract:{uuid.uuid4().hex}:"
        )
        yield redis
        await redis.delete()
        await redis.aclose()
    else:
        yield SqlKeyValueStore(*open_database(request.param))
