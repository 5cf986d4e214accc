"""UserStore adapters under contract: the fake, and the SQL store on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.fakes.user_store import MemoryUserStore
from tradewire.storage.repositories.users import SqlUserStore
from tradewire.users.ports import UserStore


@pytest.fixture(params=["memory", *backends.SQL])
def store(request: pytest.FixtureRequest, open_database: OpenDatabase) -> UserStore:
    if request.param == "memory":
        return MemoryUserStore()
    engine, writer = open_database(request.param)
    return SqlUserStore(engine, writer)
