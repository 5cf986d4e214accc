"""TradeJournal adapters under contract: the in-memory journal, and the SQL journal on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.contract.trade_journal.subjects import Subject
from tradewire.storage.repositories.trade_journal import SqlTradeJournal
from tradewire.trading.journal import MemoryTradeJournal


@pytest.fixture(params=["memory", *backends.SQL])
def subject(request: pytest.FixtureRequest, open_database: OpenDatabase) -> Subject:
    if request.param == "memory":
        journal = MemoryTradeJournal()
        return Subject(journal, lambda: journal)  # the process lives on: the same journal
    engine, writer = open_database(request.param)
    return Subject(SqlTradeJournal(engine, writer), lambda: SqlTradeJournal(engine, writer))
