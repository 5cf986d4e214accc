"""TapeStore adapters under contract: the in-memory fake, and the SQL store on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.fakes.tape_store import MemoryTapeStore
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.tape.ports import TapeStore


@pytest.fixture(params=["memory", *backends.SQL])
def store(request: pytest.FixtureRequest, open_database: OpenDatabase) -> TapeStore:
    if request.param == "memory":
        return MemoryTapeStore()
    return SqlTapeStore(*open_database(request.param))
