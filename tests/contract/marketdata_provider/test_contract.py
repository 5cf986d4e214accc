"""MarketDataProvider contract: a known ticker's quote and candles are sane and say who served
them; a ticker without data raises NoDataError; an outage raises the retryable ProviderError,
"not entitled" NotEntitledError; calls are counted; closing works."""

from __future__ import annotations

import math

import pytest

from tests.contract.marketdata_provider.subjects import KNOWN, RETRIES, HttpFactory
from tests.support.fake_providers import UNKNOWN, Fault
from tests.support.services import free_port
from tradewire.core.errors import RetryableError
from tradewire.core.events import Timeframe
from tradewire.marketdata.ports import (
    MarketDataProvider,
    NoDataError,
    NotEntitledError,
    ProviderError,
)

#: The timeframes callers ask providers for (4-hour bars are resampled from hourly ones).
TIMEFRAMES = [Timeframe.DAY, Timeframe.H1]


async def test_a_known_tickers_quote(provider: MarketDataProvider) -> None:
    quote = await provider.quote(KNOWN)

    assert quote.ticker == KNOWN and quote.data_source is provider.name
    assert math.isfinite(quote.price) and quote.price > 0
    assert quote.ts_event > 0
    if quote.low is not None and quote.high is not None:
        assert quote.low <= quote.price <= quote.high
    if quote.prev_close is not None and quote.change is not None:
        assert quote.change == pytest.approx(quote.price - quote.prev_close, abs=1e-3)


@pytest.mark.parametrize("timeframe", TIMEFRAMES)
async def test_candles_are_in_time_order_and_each_bar_is_sane(
    provider: MarketDataProvider, timeframe: Timeframe
) -> None:
    series = await provider.candles(KNOWN, timeframe)

    assert series.ticker == KNOWN and series.timeframe is timeframe
    assert series.data_source is provider.name
    assert len(series) > 0
    gaps = [b - a for a, b in zip(series.ts, series.ts[1:], strict=False)]
    assert all(gap >= timeframe.seconds for gap in gaps)
    for bar in series.candles():
        assert bar.high >= max(bar.open, bar.close) >= min(bar.open, bar.close) >= bar.low > 0
        assert bar.volume >= 0


async def test_a_ticker_without_data_raises_no_data(
    provider_of_known_tickers: MarketDataProvider,
) -> None:
    provider = provider_of_known_tickers
    with pytest.raises(NoDataError) as quote_error:
        await provider.quote(UNKNOWN)
    with pytest.raises(NoDataError) as candles_error:
        await provider.candles(UNKNOWN, Timeframe.DAY)

    assert quote_error.value.source is candles_error.value.source is provider.name


async def test_every_request_is_counted(provider: MarketDataProvider) -> None:
    before = provider.calls
    await provider.quote(KNOWN)
    after_quote = provider.calls
    await provider.candles(KNOWN, Timeframe.DAY)

    assert before < after_quote < provider.calls


async def test_closing_twice_is_harmless(provider: MarketDataProvider) -> None:
    await provider.quote(KNOWN)

    await provider.aclose()
    await provider.aclose()


# --- faults: the HTTP adapters against their servers' injected answers ------------------------

HTTP = ["finnhub", "yahoo"]
#: Outages and how many answers each takes: the adapter retries all but an unreadable answer.
OUTAGES = {"500": RETRIES + 1, "429": RETRIES + 1, "timeout": RETRIES + 1, "malformed": 1}


@pytest.mark.parametrize("name", HTTP)
@pytest.mark.parametrize(("kind", "answers"), OUTAGES.items(), ids=OUTAGES.keys())
@pytest.mark.parametrize("request_kind", ["quote", "candles"])
async def test_an_outage_raises_the_retryable_provider_error(
    http_provider: HttpFactory, servers, name: str, kind: str, answers: int, request_kind: str
) -> None:
    server = servers[name]
    # A timeout needs the client to give up before the server answers.
    server.state.hang_s = 1.0
    server.state.faults.extend([Fault(kind, retry_after=2)] * answers)
    provider = http_provider(name, timeout=0.25 if kind == "timeout" else 10.0)

    with pytest.raises(ProviderError) as caught:
        await request(provider, request_kind)

    assert isinstance(caught.value, RetryableError) and caught.value.source is provider.name
    assert server.state.faults == []  # every answer was asked for: the fault was what failed
    # The provider's Retry-After reaches failover, which waits it out before asking again.
    assert caught.value.retry_after == (2 if kind == "429" else None)


@pytest.mark.parametrize("name", HTTP)
async def test_an_unreachable_server_raises_the_retryable_provider_error(
    http_provider: HttpFactory, name: str
) -> None:
    provider = http_provider(name, base_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(ProviderError) as caught:
        await provider.quote(KNOWN)

    assert caught.value.source is provider.name


@pytest.mark.parametrize("name", HTTP)
@pytest.mark.parametrize(("kind", "error"), [("403", NotEntitledError), ("empty", NoDataError)])
async def test_refusals_and_empty_answers_are_not_outages(
    http_provider: HttpFactory, servers, name: str, kind: str, error: type[Exception]
) -> None:
    servers[name].state.faults.append(Fault(kind))
    provider = http_provider(name)

    with pytest.raises(error) as caught:
        await provider.candles(KNOWN, Timeframe.DAY)

    assert not isinstance(caught.value, RetryableError) and caught.value.source is provider.name
    assert servers[name].state.faults == []


async def request(provider: MarketDataProvider, kind: str) -> object:
    if kind == "quote":
        return await provider.quote(KNOWN)
    return await provider.candles(KNOWN, Timeframe.DAY)
