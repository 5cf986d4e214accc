"""Finnhub and Yahoo adapters against local fakes speaking the providers' wire format."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.fake_providers import FINNHUB_KEY, UNKNOWN, FakeProvider, Fault, price_path
from tradewire.core.clock import TestClock
from tradewire.core.events import DataSource, Timeframe
from tradewire.marketdata.adapters.finnhub import FinnhubProvider
from tradewire.marketdata.adapters.http import ProviderHttp
from tradewire.marketdata.adapters.yahoo import USER_AGENT, YAHOO_ANSWERS, YahooProvider
from tradewire.marketdata.failover import Failover
from tradewire.marketdata.ports import NoDataError, NotEntitledError, ProviderError
from tradewire.marketdata.ratelimit import SlidingWindowLimiter


class Sleeps:
    """Record backoff delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def http(source, base_url, *, key=FINNHUB_KEY, limiter=None, retries=2, timeout=5.0, sleep=None):
    finnhub = source is DataSource.FINNHUB
    return ProviderHttp(
        source,
        base_url,
        limiter or SlidingWindowLimiter(1000, 60),
        timeout=timeout,
        retries=retries,
        headers={"X-Finnhub-Token": key} if finnhub else {"user-agent": USER_AGENT},
        answers=frozenset({200}) if finnhub else YAHOO_ANSWERS,
        sleep=sleep or Sleeps(),
    )


@pytest.fixture
async def fh(finnhub: FakeProvider):
    sleeps = Sleeps()
    provider = FinnhubProvider(
        http(DataSource.FINNHUB, finnhub.base_url, sleep=sleeps), TestClock()
    )
    yield provider, finnhub, sleeps
    await provider.aclose()


@pytest.fixture
async def yh(yahoo: FakeProvider):
    sleeps = Sleeps()
    provider = YahooProvider(http(DataSource.YAHOO, yahoo.base_url, sleep=sleeps), TestClock())
    yield provider, yahoo, sleeps
    await provider.aclose()


async def test_finnhub_quote_and_candles(fh) -> None:
    provider, _server, _sleeps = fh
    quote = await provider.quote("AAPL")
    assert quote.data_source is DataSource.FINNHUB and quote.ticker == "AAPL"
    assert (
        quote.price > 0
        and quote.prev_close
        and quote.change == pytest.approx(quote.price - quote.prev_close, abs=1e-3)
    )
    daily = await provider.candles("AAPL", Timeframe.DAY)
    hourly = await provider.candles("AAPL", Timeframe.H1)
    assert len(daily) == len(hourly) == 300
    assert daily.data_source is DataSource.FINNHUB and daily.timeframe is Timeframe.DAY
    assert list(daily.ts) == sorted(daily.ts) and hourly.ts[1] - hourly.ts[0] == 3600
    assert all(h >= max(o, c) for o, h, c in zip(daily.open, daily.high, daily.close, strict=True))


async def test_finnhub_no_data(fh) -> None:
    provider, server, _ = fh
    with pytest.raises(NoDataError):
        await provider.quote(UNKNOWN)
    with pytest.raises(NoDataError):
        await provider.candles(UNKNOWN, Timeframe.DAY)
    server.state.faults.append(Fault("empty", "/stock/candle"))
    with pytest.raises(NoDataError):
        await provider.candles("AAPL", Timeframe.DAY)


async def test_429_honours_retry_after_then_succeeds(fh) -> None:
    provider, server, sleeps = fh
    server.state.faults.append(Fault("429", "/quote", retry_after=7))
    quote = await provider.quote("AAPL")
    assert quote.price > 0
    assert server.calls("/quote") == 2
    assert len(sleeps.delays) == 1 and 7 <= sleeps.delays[0] < 7.2


async def test_5xx_backs_off_exponentially_then_gives_up(fh) -> None:
    provider, server, sleeps = fh
    server.state.faults.extend([Fault("500", "/quote")] * 3)
    with pytest.raises(ProviderError, match="server error 500"):
        await provider.quote("AAPL")
    assert server.calls("/quote") == 3  # one try and two retries
    assert len(sleeps.delays) == 2 and all(0 <= d <= 30 for d in sleeps.delays)


async def test_403_on_candles_is_not_entitled_and_not_retried(fh) -> None:
    provider, server, sleeps = fh
    server.state.faults.append(Fault("403", "/stock/candle"))
    with pytest.raises(NotEntitledError):
        await provider.candles("AAPL", Timeframe.DAY)
    assert server.calls("/stock/candle") == 1 and sleeps.delays == []


async def test_malformed_json_is_a_provider_error(fh) -> None:
    provider, server, _ = fh
    server.state.faults.append(Fault("malformed", "/quote"))
    with pytest.raises(ProviderError, match="malformed JSON"):
        await provider.quote("AAPL")


async def test_timeout_is_a_provider_error(finnhub: FakeProvider) -> None:
    finnhub.state.hang_s = 1.0
    finnhub.state.faults.extend([Fault("timeout", "/quote")] * 2)
    provider = FinnhubProvider(
        http(DataSource.FINNHUB, finnhub.base_url, retries=1, timeout=0.2), TestClock()
    )
    try:
        with pytest.raises(ProviderError, match="timed out"):
            await provider.quote("AAPL")
    finally:
        await provider.aclose()


async def test_rejected_key_never_appears_in_the_error(finnhub: FakeProvider) -> None:
    provider = FinnhubProvider(
        http(DataSource.FINNHUB, finnhub.base_url, key="wrong-key-123"), TestClock()
    )
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.quote("AAPL")
        assert "401" in caught.value.message and "wrong-key-123" not in str(caught.value)
    finally:
        await provider.aclose()


async def test_yahoo_quote_candles_and_share_classes(yh) -> None:
    provider, server, _ = yh
    quote = await provider.quote("BRK.B")
    assert quote.data_source is DataSource.YAHOO and quote.ticker == "BRK.B"
    assert server.state.arrivals[-1][1] == "/v8/finance/chart/BRK-B"
    # Yesterday's close, taken from the bars (the last one before today is a null Yahoo pad).
    bars = price_path("BRK-B", 5, 86_400)
    assert quote.prev_close == bars[2][4] and quote.price == bars[4][4]
    assert quote.change == pytest.approx(quote.price - quote.prev_close, abs=1e-6)
    daily = await provider.candles("AAPL", Timeframe.DAY)
    assert len(daily) == 299  # the bar Yahoo padded with a null close is dropped
    assert (await provider.candles("AAPL", Timeframe.H1)).timeframe is Timeframe.H1


async def test_yahoo_errors(yh) -> None:
    provider, server, _ = yh
    with pytest.raises(NoDataError, match="No data found"):
        await provider.quote(UNKNOWN)
    server.state.faults.append(Fault("empty", "/v8"))
    with pytest.raises(NoDataError, match="empty chart"):
        await provider.candles("AAPL", Timeframe.DAY)
    server.state.faults.append(Fault("malformed", "/v8"))
    with pytest.raises(ProviderError, match="malformed"):
        await provider.candles("AAPL", Timeframe.DAY)


async def test_free_plan_routes_candles_to_yahoo(fh, yh) -> None:
    finnhub, fserver, _ = fh
    yahoo, yserver, _ = yh
    clock = TestClock()
    failover = Failover([finnhub, yahoo], [finnhub, yahoo], clock)
    fserver.state.faults.append(Fault("403", "/stock/candle"))
    series = await failover.candles("MSFT", Timeframe.DAY)
    assert series.data_source is DataSource.YAHOO
    assert (await failover.candles("MSFT", Timeframe.H1)).data_source is DataSource.YAHOO
    assert fserver.calls("/stock/candle") == 1 and yserver.calls() == 2
    assert (await failover.quote("MSFT")).data_source is DataSource.FINNHUB
    assert all(h.healthy and h.failures == 0 for h in failover.health())


async def test_limiter_keeps_a_strict_provider_happy(finnhub: FakeProvider) -> None:
    finnhub.state.strict_limit, finnhub.state.window_s = 10, 0.5
    limiter = SlidingWindowLimiter(10, 0.5)
    provider = FinnhubProvider(
        http(DataSource.FINNHUB, finnhub.base_url, limiter=limiter, retries=0), TestClock()
    )
    try:
        quotes = await asyncio.gather(*(provider.quote(f"T{i}") for i in range(25)))
    finally:
        await provider.aclose()
    assert len(quotes) == 25 and finnhub.state.rejected_429 == 0
    stamps = sorted(t for t, _ in finnhub.state.arrivals)
    assert all(stamps[i + 10] - stamps[i] > 0.5 for i in range(len(stamps) - 10))
