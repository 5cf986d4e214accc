"""Compose backtest storage: the configured database's store of finished backtests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tradewire.backtest.ports import BacktestStore
from tradewire.settings import Settings
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.backtests import SqlBacktestStore


@asynccontextmanager
async def open_backtest_store(settings: Settings) -> AsyncIterator[BacktestStore]:
    """The configured database's backtest store, for the command line with or without a
    server (migrated to the current schema first); its engine is closed afterwards."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    try:
        await asyncio.to_thread(upgrade, settings.db_url, engine=engine)
        yield SqlBacktestStore(engine)
    finally:
        engine.dispose()
