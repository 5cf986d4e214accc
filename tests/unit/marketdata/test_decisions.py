"""The analysis service on the fake providers and the replay provider: where the data came
from, market proxies missing or failing, errors by kind, and the paper account's size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest

from tests.fakes.kv_store import MemoryKeyValueStore
from tests.fakes.marketdata_provider import MemoryProvider
from tradewire.analysis.analyzer import DecisionEngine
from tradewire.analysis.calibration import IDENTITY
from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.analysis.sizing import AccountView
from tradewire.core.clock import TestClock
from tradewire.core.errors import NotFoundError, RetryableError, ValidationError
from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe
from tradewire.marketdata.adapters.replay import ReplayProvider
from tradewire.marketdata.cache import SnapshotCache
from tradewire.marketdata.decisions import AnalysisService, paper_account_view
from tradewire.marketdata.failover import Failover
from tradewire.marketdata.ports import MarketDataProvider, ProviderError
from tradewire.marketdata.service import MarketDataService
from tradewire.users.settings import UserSettings

EVERYONE = ("NVDA", "SPY", "QQQ")


class DownFor(MemoryProvider):
    """The fake provider, down (HTTP 5xx after retries) for the tickers in ``down``."""

    def __init__(self, clock: TestClock, tickers: tuple[str, ...], down: set[str]) -> None:
        super().__init__(DataSource.YAHOO, clock, tickers)
        self.down = down

    async def quote(self, ticker: str) -> Quote:
        self._fail(ticker)
        return await super().quote(ticker)

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        self._fail(ticker)
        return await super().candles(ticker, timeframe)

    def _fail(self, ticker: str) -> None:
        if ticker in self.down:
            self.calls += 1
            raise ProviderError(self.name, "HTTP 503")


def service_on(provider: MarketDataProvider, clock: TestClock) -> AnalysisService:
    marketdata = MarketDataService(
        Failover([provider], [provider], clock, unhealthy_after=100),
        SnapshotCache(MemoryKeyValueStore(), clock, ttl_s=300),
        IndicatorSettings(),
        clock,
    )
    engine = DecisionEngine(AnalyzerSettings(), IndicatorSettings(), IDENTITY)
    return AnalysisService(marketdata, engine, clock)


async def test_fetched_then_cached() -> None:
    clock = TestClock()
    provider = MemoryProvider(DataSource.YAHOO, clock, EVERYONE)
    service = service_on(provider, clock)

    fresh = await service.analyze("nvda", AccountView())
    assert fresh.inputs.ticker == "NVDA" and fresh.inputs.data_source == "live_api"
    assert fresh.inputs.age_s == 0.0
    calls = provider.calls

    clock.advance(30)
    cached = await service.analyze("NVDA", AccountView())
    assert cached.inputs.data_source == "cache" and cached.inputs.age_s == pytest.approx(30)
    assert provider.calls == calls  # the ticker and both proxies came from the cache
    assert cached.signal == fresh.signal and cached.levels == fresh.levels


async def test_the_snapshot_becomes_the_engine_inputs() -> None:
    clock = TestClock()
    provider = MemoryProvider(DataSource.YAHOO, clock, EVERYONE)
    service = service_on(provider, clock)
    analysis = await service.analyze("NVDA", AccountView())
    daily = await provider.candles("NVDA", Timeframe.DAY)
    quote = await provider.quote("NVDA")

    inputs = analysis.inputs
    assert set(inputs.frames) == {"1d", "4h", "1h"} and inputs.primary == "1d"
    frame = inputs.frames["1d"]
    assert frame.ts.dtype == np.int64
    assert frame.ts[-1] == daily.ts[-1] * 1_000_000_000  # epoch seconds became nanoseconds
    assert frame.close.tolist() == list(daily.close)
    assert inputs.price == quote.price and inputs.as_of_ns == quote.ts_event
    assert set(inputs.context) == {"SPY", "QQQ"}
    assert analysis.components["market_context"].has_data


async def test_replay_is_simulated_even_from_the_cache() -> None:
    clock = TestClock(start_ns=1_763_000_000 * 10**9)
    service = service_on(ReplayProvider(clock), clock)
    assert (await service.analyze("AAPL", AccountView())).inputs.data_source == "simulated"
    again = await service.analyze("AAPL", AccountView())
    assert again.inputs.data_source == "simulated"


async def test_missing_proxies_are_flagged_not_invented() -> None:
    clock = TestClock()
    service = service_on(MemoryProvider(DataSource.YAHOO, clock, ["NVDA"]), clock)
    analysis = await service.analyze("NVDA", AccountView())
    context = analysis.components["market_context"]
    assert analysis.inputs.context == {}
    assert not context.has_data and context.score == 50.0
    assert context.detail == "no market proxy with enough bars"
    assert analysis.signal in ("BUY", "SELL", "HOLD") and analysis.levels is not None


async def test_a_failing_proxy_does_not_fail_the_analysis() -> None:
    clock = TestClock()
    service = service_on(DownFor(clock, EVERYONE, down={"SPY"}), clock)
    analysis = await service.analyze("NVDA", AccountView())
    assert set(analysis.inputs.context) == {"QQQ"}
    assert analysis.components["market_context"].has_data
    detail = analysis.components["market_context"].detail
    assert detail.startswith("QQQ ") and detail.endswith("over 20 bars") and "SPY" not in detail


async def test_the_ticker_is_not_its_own_proxy() -> None:
    clock = TestClock()
    service = service_on(MemoryProvider(DataSource.YAHOO, clock, EVERYONE), clock)
    assert set((await service.analyze("SPY", AccountView())).inputs.context) == {"QQQ"}


async def test_errors_by_kind() -> None:
    clock = TestClock()
    service = service_on(DownFor(clock, EVERYONE, down={"NVDA"}), clock)
    with pytest.raises(ValidationError, match="at most 5"):
        await service.analyze("TOOLONG", AccountView())
    with pytest.raises(NotFoundError, match="ZZZZ"):
        await service.analyze("ZZZZ", AccountView())
    with pytest.raises(RetryableError) as down:
        await service.analyze("NVDA", AccountView())
    assert down.value.retry_after is not None and down.value.retry_after >= 1


async def test_a_stale_entry_only_when_asked() -> None:
    clock = TestClock()
    provider = DownFor(clock, EVERYONE, down=set())
    service = service_on(provider, clock)
    await service.analyze("NVDA", AccountView())
    provider.down.update(EVERYONE)
    clock.advance(600)
    with pytest.raises(RetryableError):
        await service.analyze("NVDA", AccountView())
    stale = await service.analyze("NVDA", AccountView(), allow_stale=True)
    assert stale.inputs.data_source == "cache" and stale.inputs.age_s == pytest.approx(600)
    assert set(stale.inputs.context) == {"SPY", "QQQ"}


async def test_cached_only_never_asks_a_provider() -> None:
    clock = TestClock()
    provider = MemoryProvider(DataSource.YAHOO, clock, EVERYONE)
    service = service_on(provider, clock)
    with pytest.raises(NotFoundError, match="no fresh cached"):
        await service.analyze("NVDA", AccountView(), cached_only=True)
    assert provider.calls == 0
    await service.marketdata.collect("NVDA")
    calls = provider.calls
    analysis = await service.analyze("NVDA", AccountView(), cached_only=True)
    assert provider.calls == calls and analysis.inputs.context == {}  # proxies not cached


@dataclass(frozen=True)
class Cash:
    currency: str
    equity: Decimal
    available: Decimal


def test_paper_account_view_takes_the_users_settings_and_usd() -> None:
    settings = UserSettings(risk_percent=Decimal("1.5"), max_notional_percent=Decimal(25))
    balances = [
        Cash("USDT", Decimal(10_000), Decimal(10_000)),
        Cash("USD", Decimal("8200.50"), Decimal("3100.25")),
    ]
    view = paper_account_view(settings, balances)
    assert view == AccountView(
        equity=Decimal("8200.50"),
        risk_percent=Decimal("1.5"),
        max_notional_percent=Decimal(25),
        buying_power=Decimal("3100.25"),
        currency="USD",
    )
    assert paper_account_view(settings, balances[:1]) is None
