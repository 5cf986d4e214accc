"""Failover: order, health, probing, entitlement and who served each datum."""

from __future__ import annotations

import pytest

from tradewire.core.clock import TestClock
from tradewire.core.errors import RetryableError
from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe
from tradewire.marketdata.failover import Failover
from tradewire.marketdata.ports import NoDataError, NotEntitledError, ProviderError


class ScriptedSource:
    """A provider fake: each call pops the next scripted outcome ("ok" or an error kind)."""

    def __init__(self, name: DataSource, clock: TestClock) -> None:
        self.name = name
        self.clock = clock
        self.quote_script: list[str] = []
        self.candle_script: list[str] = []
        self.calls = 0

    def _outcome(self, script: list[str]) -> None:
        self.calls += 1
        kind = script.pop(0) if script else "ok"
        if kind == "down":
            raise ProviderError(self.name, "server error 500")
        if kind == "limited":
            raise ProviderError(self.name, "rate limited for 120 s", retry_after=120)
        if kind == "forbidden":
            raise NotEntitledError(self.name, "not entitled (403)")
        if kind == "empty":
            raise NoDataError(self.name, "no data")

    async def quote(self, ticker: str) -> Quote:
        self._outcome(self.quote_script)
        now = self.clock.now_ns()
        return Quote(
            ticker=ticker, price=10.0, change=None, change_percent=None, open=None, high=None,
            low=None, prev_close=None, volume=None, data_source=self.name, ts_event=now,
            ts_init=now,
        )  # fmt: skip

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        self._outcome(self.candle_script)
        now = self.clock.now_ns()
        return CandleSeries(
            ticker=ticker, timeframe=timeframe, data_source=self.name, ts=(1,), open=(1.0,),
            high=(1.0,), low=(1.0,), close=(1.0,), volume=(1.0,), ts_event=now, ts_init=now,
        )  # fmt: skip

    async def aclose(self) -> None:
        pass


@pytest.fixture
def setup():
    clock = TestClock()
    primary = ScriptedSource(DataSource.FINNHUB, clock)
    backup = ScriptedSource(DataSource.YAHOO, clock)
    failover = Failover(
        [primary, backup], [primary, backup], clock, unhealthy_after=3, probe_after_s=60
    )
    return clock, primary, backup, failover


def health(failover: Failover, source: str, kind: str):
    return next(h for h in failover.health() if h.source == source and h.kind == kind)


async def test_first_source_serves_and_is_recorded(setup) -> None:
    _clock, primary, backup, failover = setup
    quote = await failover.quote("AAPL")
    assert quote.data_source is DataSource.FINNHUB
    assert (primary.calls, backup.calls) == (1, 0)


async def test_outage_fails_over_then_marks_unhealthy_and_probes_later(setup) -> None:
    clock, primary, _backup, failover = setup
    primary.quote_script = ["down"] * 4
    for _ in range(3):
        assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert not health(failover, "finnhub", "quote").healthy
    # While unhealthy the primary is not even asked.
    assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert primary.calls == 3
    # After the probe delay one request probes it; it fails again and stays unhealthy.
    clock.advance(61)
    assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert primary.calls == 4
    assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert primary.calls == 4
    # The next probe succeeds: healthy again and serving.
    clock.advance(61)
    assert (await failover.quote("AAPL")).data_source is DataSource.FINNHUB
    assert health(failover, "finnhub", "quote").healthy
    # Candles were never affected by the quote outage.
    assert health(failover, "finnhub", "candles").healthy


async def test_failures_must_be_consecutive(setup) -> None:
    _clock, primary, _backup, failover = setup
    primary.quote_script = ["down", "down", "ok", "down", "down"]
    for _ in range(5):
        await failover.quote("AAPL")
    assert health(failover, "finnhub", "quote").healthy


async def test_not_entitled_routes_candles_elsewhere_without_an_outage(setup) -> None:
    _clock, primary, _backup, failover = setup
    primary.candle_script = ["forbidden"]
    series = await failover.candles("AAPL", Timeframe.DAY)
    assert series.data_source is DataSource.YAHOO
    h = health(failover, "finnhub", "candles")
    assert h.healthy and h.failures == 0 and h.as_dict()["entitled"] is False
    # Not asked again for candles for a while, but still serving quotes.
    assert (await failover.candles("AAPL", Timeframe.H1)).data_source is DataSource.YAHOO
    assert primary.calls == 1
    assert (await failover.quote("AAPL")).data_source is DataSource.FINNHUB


async def test_no_data_moves_on_without_counting_a_failure(setup) -> None:
    _clock, primary, _backup, failover = setup
    primary.quote_script = ["empty"] * 5
    for _ in range(5):
        assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert health(failover, "finnhub", "quote").failures == 0


async def test_everything_down_is_retryable_and_everything_empty_is_not_found(setup) -> None:
    _clock, primary, backup, failover = setup
    primary.quote_script, backup.quote_script = ["down"], ["down"]
    with pytest.raises(RetryableError, match="no source could serve quote of AAPL"):
        await failover.quote("AAPL")
    primary.quote_script, backup.quote_script = ["empty"], ["empty"]
    with pytest.raises(NoDataError):
        await failover.quote("AAPL")


async def test_a_long_retry_after_rests_the_source_at_once(setup) -> None:
    clock, primary, _backup, failover = setup
    primary.quote_script = ["limited"]
    assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert not health(failover, "finnhub", "quote").healthy
    clock.advance(100)
    assert (await failover.quote("AAPL")).data_source is DataSource.YAHOO
    assert primary.calls == 1
    clock.advance(21)
    assert (await failover.quote("AAPL")).data_source is DataSource.FINNHUB
