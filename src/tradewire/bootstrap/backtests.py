"""Compose what backtests use: the store of finished backtests, the providers' daily history
and the collector's watchlist, from Settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tradewire.backtest.history import DailyHistory
from tradewire.backtest.ports import BacktestStore
from tradewire.bootstrap.marketdata import build_providers
from tradewire.core.clock import LiveClock
from tradewire.marketdata.watchlist import PROTECTED
from tradewire.settings import Settings
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.backtests import SqlBacktestStore
from tradewire.storage.repositories.marketdata import SqlWatchlistStore
from tradewire.storage.writer import GroupCommitWriter


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


@asynccontextmanager
async def open_history_sources(settings: Settings) -> AsyncIterator[list[DailyHistory]]:
    """The configured candle providers that serve daily history, in the configured order (an
    empty list when none is usable); their connections are closed afterwards."""
    # Only the candle providers: a quote provider that cannot be built would only warn.
    candles_only = settings.model_copy(update={"quote_providers": settings.candle_providers})
    providers, _budgets = build_providers(candles_only, LiveClock())
    try:
        yield [
            provider  # type: ignore[misc]  # checked just here: the adapters that have it
            for name in settings.candle_providers
            if (provider := providers.get(name)) is not None
            and callable(getattr(provider, "daily_history", None))
        ]
    finally:
        for provider in providers.values():
            await provider.aclose()


async def watchlist_tickers(settings: Settings) -> list[str]:
    """The collector's watchlist, read without a server: the protected tickers (as the
    collector restores them) and then the stored ones, in the order they were added."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    try:
        await asyncio.to_thread(upgrade, settings.db_url, engine=engine)
        # Never started: reading needs no writer.
        stored = await SqlWatchlistStore(engine, GroupCommitWriter(engine)).load()
    finally:
        engine.dispose()
    return list(dict.fromkeys([*PROTECTED, *(ticker for ticker, _protected in stored)]))
