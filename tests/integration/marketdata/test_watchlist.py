"""The watchlist persisted in SQLite and PostgreSQL, with SPY and QQQ protected."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect

from tradewire.core.clock import TestClock
from tradewire.core.errors import NotFoundError, ValidationError
from tradewire.marketdata.watchlist import Watchlist
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import downgrade, upgrade
from tradewire.storage.models import WatchlistRow
from tradewire.storage.repositories.marketdata import SqlWatchlistStore


async def test_add_remove_persist_and_protect(sql_backend) -> None:
    engine, writer = sql_backend
    clock = TestClock()
    watchlist = Watchlist(SqlWatchlistStore(engine, writer), clock, max_size=5)
    assert await watchlist.load() == ("SPY", "QQQ")
    clock.advance(1)
    assert await watchlist.add("nvda") == ("NVDA", True)
    clock.advance(1)
    assert await watchlist.add("BRK.B") == ("BRK.B", True)
    assert await watchlist.add("NVDA") == ("NVDA", False)
    with pytest.raises(ValidationError, match="protected"):
        await watchlist.remove("spy")
    with pytest.raises(NotFoundError):
        await watchlist.remove("TSLA")
    with pytest.raises(ValidationError, match="at most 5"):
        await watchlist.add("NVIDIA")

    reloaded = Watchlist(SqlWatchlistStore(engine, writer), clock, max_size=5)
    assert await reloaded.load() == ("SPY", "QQQ", "NVDA", "BRK.B")
    assert await reloaded.remove("NVDA") == "NVDA"
    clock.advance(1)
    await reloaded.add("AAPL")
    clock.advance(1)
    await reloaded.add("MSFT")
    with pytest.raises(ValidationError, match="full"):
        await reloaded.add("AMZN")
    assert await Watchlist(SqlWatchlistStore(engine, writer), clock).load() == (
        "SPY", "QQQ", "BRK.B", "AAPL", "MSFT",
    )  # fmt: skip


async def test_protected_tickers_are_restored_if_storage_lost_them(sql_backend) -> None:
    engine, writer = sql_backend
    clock = TestClock()
    store = SqlWatchlistStore(engine, writer)
    await Watchlist(store, clock).load()
    with engine.begin() as conn:
        conn.execute(delete(WatchlistRow.__table__))
    await store.add("TSLA", False, clock.now_ns())
    assert await Watchlist(store, clock).load() == ("SPY", "QQQ", "TSLA")
    assert {t for t, _ in await store.load()} == {"SPY", "QQQ", "TSLA"}


def test_migration_applies_from_0001_and_reverts(db_url) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade(db_url, "0001", engine=engine)
        assert "watchlist" not in inspect(engine).get_table_names()
        upgrade(db_url, "0003", engine=engine)
        assert {"watchlist", "marketdata_cache"} <= set(inspect(engine).get_table_names())
        downgrade(db_url, "0001", engine=engine)
        assert "marketdata_cache" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
