"""SignalStore adapters under contract: the fake, and the SQL store on SQLite and PostgreSQL,
each with the probe that reads what it stored."""

from __future__ import annotations

import pytest

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.contract.signal_store.subjects import MemoryProbe, SqlProbe, Subject
from tests.fakes.signal_store import MemoryStore
from tradewire.storage.repositories.signals import SqlSignalStore


@pytest.fixture(params=["memory", *backends.SQL])
def subject(request: pytest.FixtureRequest, open_database: OpenDatabase) -> Subject:
    if request.param == "memory":
        store = MemoryStore()
        return Subject(store, MemoryProbe(store))
    engine, writer = open_database(request.param)
    return Subject(SqlSignalStore(engine, writer), SqlProbe(engine))
