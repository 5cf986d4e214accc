"""Daily history from the Yahoo and Finnhub adapters over real HTTP, against the local fakes
that speak the providers' wire formats."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import numpy as np
import pytest

from tests.contract.marketdata_provider.subjects import RETRIES, http_adapter
from tests.support.fake_providers import (
    UNKNOWN,
    FakeProvider,
    Fault,
    daily_history,
    fake_finnhub,
    fake_yahoo,
)
from tradewire.backtest.history import DailyHistory, provider_history
from tradewire.core.errors import ValidationError
from tradewire.core.events import DataSource
from tradewire.marketdata.ports import NoDataError, ProviderError

NS = 10**9


def ns(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) * NS


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeProvider]]:
    with fake_finnhub() as finnhub, fake_yahoo() as yahoo:
        finnhub.state.dated_history = True
        yield {"finnhub": finnhub, "yahoo": yahoo}


@pytest.fixture(params=["yahoo", "finnhub"])
async def source(
    request: pytest.FixtureRequest, servers: dict[str, FakeProvider]
) -> AsyncIterator[tuple[DailyHistory, FakeProvider]]:
    """Each provider's adapter on its fake server, with no faults queued."""
    server = servers[request.param]
    server.state.faults.clear()
    adapter = http_adapter(request.param, server.base_url, timeout=5.0)
    yield adapter, server
    await adapter.aclose()


async def test_years_of_daily_bars_within_the_range(source) -> None:
    adapter, _server = source
    start, end = ns("2005-03-01"), ns("2020-03-02")

    bars = await provider_history(adapter, "MSFT", start_ns=start, end_ns=end)

    expected = daily_history("MSFT", start // NS, end // NS)
    assert bars.symbol == "MSFT" and len(bars) == len(expected) > 3900
    assert bars.ts.tolist() == [b[0] * NS for b in expected]
    assert bars.close.tolist() == [b[4] for b in expected]
    assert bars.ts[0] >= start and bars.ts[-1] < end
    assert np.all(bars.high >= np.maximum(bars.open, bars.close)) and np.all(bars.low > 0)


async def test_the_end_is_left_out_whichever_way_the_provider_counts_it(source) -> None:
    adapter, _server = source
    monday_open = ns("2024-01-08") + 52_200 * NS  # a bar opens exactly at the end

    bars = await provider_history(adapter, "AAPL", start_ns=ns("2024-01-01"), end_ns=monday_open)

    assert bars.ts[-1] == ns("2024-01-05") + 52_200 * NS and len(bars) == 5


async def test_a_range_without_bars_is_no_data(source) -> None:
    adapter, _server = source

    with pytest.raises(NoDataError) as caught:
        await provider_history(adapter, "AAPL", start_ns=ns("2024-01-06"), end_ns=ns("2024-01-08"))

    assert caught.value.source is adapter.name
    assert caught.value.message.startswith(
        f"{adapter.name.value}: no daily bars of AAPL from 2024-01-06 to 2024-01-08"
    )


async def test_an_unknown_ticker_is_no_data(source) -> None:
    adapter, _server = source

    with pytest.raises(NoDataError, match=f"no daily bars of {UNKNOWN} from 2020-01-01"):
        await provider_history(adapter, UNKNOWN, start_ns=ns("2020-01-01"), end_ns=ns("2021-01-01"))


async def test_a_server_error_is_a_provider_error(source) -> None:
    adapter, server = source
    path = "/v8" if adapter.name is DataSource.YAHOO else "/stock/candle"
    server.state.faults.extend([Fault("500", path)] * (RETRIES + 1))

    with pytest.raises(ProviderError, match="server error 500"):
        await provider_history(adapter, "AAPL", start_ns=ns("2020-01-01"), end_ns=ns("2021-01-01"))


async def test_an_inverted_range_is_refused_before_any_request(source) -> None:
    adapter, server = source
    before = server.calls()

    with pytest.raises(ValidationError, match=r"the start \(2021-01-01\) must be before the end"):
        await provider_history(adapter, "AAPL", start_ns=ns("2021-01-01"), end_ns=ns("2020-01-01"))

    assert server.calls() == before
