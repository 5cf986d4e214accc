"""Compose the decision engine's live side from Settings: the analysis service on the collector's
market data, the analyst that publishes its calls (when ``analyzer.publish_signals`` is on), and
the same service and a user's paper account for the command line without a server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tradewire.analysis.analyzer import DecisionEngine
from tradewire.analysis.calibration import load_calibrator
from tradewire.analysis.sizing import AccountView
from tradewire.bootstrap.marketdata import build_collector
from tradewire.bootstrap.trading import open_journal
from tradewire.bootstrap.users import open_users
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, LiveClock
from tradewire.core.errors import ConfigError, NotFoundError
from tradewire.core.events import CollectionCycle
from tradewire.marketdata.analyst import Analyst
from tradewire.marketdata.collector import Collector
from tradewire.marketdata.decisions import AnalysisService, paper_account_view
from tradewire.settings import Settings
from tradewire.signals.pipeline import SignalPipeline
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.writer import GroupCommitWriter
from tradewire.trading.replay import replay
from tradewire.users.model import user_name


def build_engine(settings: Settings) -> DecisionEngine:
    """The decision engine as configured, with its calibration (the configured file, else the
    shipped one; CalibrationError naming a file that cannot be read)."""
    calibrator = load_calibrator(settings.analyzer.calibration_file)
    return DecisionEngine(settings.analyzer, settings.indicators, calibrator)


def build_analysis(
    settings: Settings, collector: Collector | None, clock: Clock
) -> AnalysisService | None:
    """The analysis service on the collector's market data; None without a collector (no
    usable market data source)."""
    if collector is None:
        return None
    return AnalysisService(collector.service, build_engine(settings), clock)


def build_analyst(
    settings: Settings,
    *,
    analysis: AnalysisService | None,
    collector: Collector | None,
    pipeline: SignalPipeline,
    bus: MessageBus,
    clock: Clock,
) -> Analyst | None:
    """The analyst, following every collection cycle, when ``analyzer.publish_signals`` is on
    (None when it is off or there is no market data)."""
    if not settings.analyzer.publish_signals or analysis is None or collector is None:
        return None
    analyst = Analyst(analysis, collector.watchlist, pipeline, clock)
    bus.subscribe(CollectionCycle, analyst.on_cycle)
    return analyst


@asynccontextmanager
async def open_analysis(settings: Settings) -> AsyncIterator[AnalysisService]:
    """The analysis service for a command run without a server: the configured providers and
    the configured cache (migrated first); everything is closed afterwards. ConfigError when
    no market data source is usable."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    writer = GroupCommitWriter(engine)
    collector = None
    try:
        await asyncio.to_thread(upgrade, settings.db_url, engine=engine)
        writer.start()
        clock = LiveClock()
        collector = build_collector(settings, engine=engine, writer=writer, clock=clock)
        if collector is None:
            raise ConfigError("no usable market data source is configured")
        yield AnalysisService(collector.service, build_engine(settings), clock)
    finally:
        if collector is not None:
            await collector.close()
        await asyncio.to_thread(writer.stop)
        engine.dispose()


async def paper_account(settings: Settings, user: str) -> AccountView:
    """The account a stored user's size is for, read without a server: their settings and
    their paper account rebuilt from its journal. NotFoundError for a name that is not a
    stored user or a paper account without USD; RejectError for a malformed name."""
    name = user_name(user)
    async with open_users(settings) as users:
        saved = await users.saved_settings(name)
    if saved is None:
        raise NotFoundError(
            f"{name!r} is not a stored user, so it has no paper account: "
            "an admin adds it with `tradewire user add`"
        )
    async with open_journal(settings) as journal:
        events = await journal.read(name)
    account = await replay(settings.trading, name, events)
    view = paper_account_view(saved, await account.venue.balances(name))
    if view is None:
        raise NotFoundError(f"the paper account of {name!r} holds no USD to size a trade with")
    return view
