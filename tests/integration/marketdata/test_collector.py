"""The collector loop against the fake providers: cycles, status, stopping, surviving errors."""

from __future__ import annotations

import asyncio

import orjson
from pydantic import SecretStr

from tests.support.fake_providers import FINNHUB_KEY, FakeProvider, Fault
from tests.support.waiting import eventually
from tradewire.bootstrap.marketdata import build_collector
from tradewire.core.bus import MessageBus
from tradewire.core.clock import LiveClock
from tradewire.core.events import CollectionCycle, DataSource, MarketSnapshot, Timeframe
from tradewire.marketdata.collector import Collector
from tradewire.settings import Settings
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.writer import GroupCommitWriter


class Wired:
    """A collector built from Settings exactly as the service builds it."""

    def __init__(self, tmp_path, finnhub: FakeProvider, yahoo: FakeProvider, **overrides):
        self.settings = Settings(
            data_dir=tmp_path,
            finnhub_api_key=SecretStr(FINNHUB_KEY),
            finnhub_base_url=finnhub.base_url,
            yahoo_base_url=yahoo.base_url,
            **{"provider_timeout_s": 0.3, "provider_retries": 0, **overrides},
        )
        self.engine = create_db_engine(self.settings.db_url)
        upgrade(self.settings.db_url, engine=self.engine)
        self.writer = GroupCommitWriter(self.engine)
        self.bus = MessageBus()
        self.seen: list[object] = []
        self.bus.subscribe(MarketSnapshot, self.seen.append)
        self.bus.subscribe(CollectionCycle, self.seen.append)

    async def __aenter__(self) -> Collector:
        self.writer.start()
        collector = build_collector(
            self.settings, engine=self.engine, writer=self.writer, clock=LiveClock(), bus=self.bus
        )
        assert collector is not None
        self.collector = collector
        await collector.open()
        return collector

    async def __aexit__(self, *exc: object) -> None:
        await self.collector.close()
        self.writer.stop()
        self.engine.dispose()


async def test_cycle_routes_candles_to_yahoo_on_the_free_plan(tmp_path, finnhub, yahoo) -> None:
    finnhub.state.forbidden.add("/stock/candle")
    wired = Wired(tmp_path, finnhub, yahoo)
    async with wired as collector:
        await collector.watchlist.add("AAPL")
        cycle = await collector.run_once()
        assert (cycle.tickers, cycle.succeeded, cycle.failed) == (3, 3, 0)
        assert cycle.api_calls == finnhub.calls() + yahoo.calls()
        snap = (await collector.service.cache.get_fresh("AAPL")).snapshot
        assert snap.quote.data_source is DataSource.FINNHUB
        assert {t.candles.data_source for t in snap.timeframes} == {DataSource.YAHOO}
        assert [t.candles.timeframe for t in snap.timeframes] == [
            Timeframe.DAY, Timeframe.H4, Timeframe.H1,
        ]  # fmt: skip
        # Not asked again once known not entitled (the first requests went out together).
        asked = finnhub.calls("/stock/candle")
        await collector.run_once()
        assert finnhub.calls("/stock/candle") == asked
        status = await collector.status()
        assert status["cache_entries"] == 3 and status["success_count"] == 6
        assert status["api_calls"]["finnhub"]["limit"] == 60
        assert status["api_calls"]["finnhub"]["total"] == finnhub.calls()
        assert all(s["failures"] == 0 for s in status["sources"])
        assert sum(isinstance(e, MarketSnapshot) for e in wired.seen) == 6
        assert any(isinstance(e, CollectionCycle) for e in wired.seen)


async def test_provider_errors_never_kill_the_loop(tmp_path, finnhub, yahoo) -> None:
    # Both providers fail the first quotes: the first cycle loses tickers, later ones recover.
    finnhub.state.faults.extend([Fault("500", "/quote")] * 2)
    yahoo.state.faults.extend([Fault("malformed", "/v8")] * 6)
    wired = Wired(tmp_path, finnhub, yahoo, provider_unhealthy_after=100)
    async with wired as collector:
        collector.interval_s = 0.05
        await collector.start()
        await eventually(lambda: collector.counters.errors >= 2, timeout=20)
        await eventually(lambda: collector.counters.cycles >= 3, timeout=20)
        assert collector.running
        await eventually(lambda: collector.counters.successes >= 2, timeout=20)
        assert await collector.stop()


async def test_start_stop_restart_and_status_file(tmp_path, finnhub, yahoo) -> None:
    wired = Wired(tmp_path, finnhub, yahoo)
    async with wired as collector:
        assert not collector.running
        assert await collector.start()
        assert not await collector.start()  # already running
        await eventually(lambda: collector.counters.cycles >= 1, timeout=20)
        path = wired.settings.collector_status_file

        def written() -> dict:
            data = orjson.loads(path.read_bytes()) if path.exists() else {}
            return data if data.get("last_run") else {}

        data = await eventually(written, timeout=10)
        assert data["running"] is True and data["watchlist"] == ["SPY", "QQQ"]
        assert data["next_run"] and data["tickers_tracked"] == 2
        await collector.restart()
        assert collector.running
        assert await collector.stop()
        assert not await collector.stop()
        assert orjson.loads(path.read_bytes())["running"] is False


async def test_stop_returns_within_a_second_even_mid_cycle(tmp_path, finnhub, yahoo) -> None:
    # Every request hangs far longer than the stop budget.
    finnhub.state.hang_s = 2.0
    finnhub.state.faults.extend([Fault("timeout", "/")] * 20)
    wired = Wired(tmp_path, finnhub, yahoo, provider_timeout_s=30.0)
    async with wired as collector:
        await collector.start()
        await eventually(lambda: finnhub.calls() > 0, timeout=10)
        await asyncio.wait_for(collector.stop(), timeout=1.0)
        assert not collector.running and collector.counters.cycles == 0
