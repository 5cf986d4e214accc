"""MarketDataProvider adapters under contract: the in-memory fake, Finnhub and Yahoo over real
HTTP against the local fakes of their servers, and the replay generator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.contract.marketdata_provider.subjects import KNOWN, HttpFactory, http_adapter
from tests.fakes.marketdata_provider import MemoryProvider
from tests.support.fake_providers import FakeProvider, fake_finnhub, fake_yahoo
from tradewire.core.clock import TestClock
from tradewire.core.events import DataSource
from tradewire.marketdata.adapters.http import HttpProvider
from tradewire.marketdata.adapters.replay import ReplayProvider
from tradewire.marketdata.ports import MarketDataProvider


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeProvider]]:
    """The fake Finnhub and Yahoo servers, shared by the module's tests."""
    with fake_finnhub() as finnhub, fake_yahoo() as yahoo:
        yield {"finnhub": finnhub, "yahoo": yahoo}


@pytest.fixture
async def http_provider(servers: dict[str, FakeProvider]) -> AsyncIterator[HttpFactory]:
    """Build Finnhub or Yahoo adapters on their fake servers, which start with no faults
    queued; every adapter built is closed after the test."""
    for server in servers.values():
        server.state.faults.clear()
        server.state.hang_s = 2.0
    built: list[HttpProvider] = []

    def build(name: str, *, timeout: float = 10.0, base_url: str | None = None) -> HttpProvider:
        adapter = http_adapter(name, base_url or servers[name].base_url, timeout)
        built.append(adapter)
        return adapter

    yield build
    for adapter in built:
        await adapter.aclose()


@pytest.fixture(params=["fake", "finnhub", "yahoo", "replay"])
def provider(request: pytest.FixtureRequest, http_provider: HttpFactory) -> MarketDataProvider:
    if request.param == "replay":
        return ReplayProvider(TestClock())
    return bounded(request.param, http_provider)


@pytest.fixture(params=["fake", "finnhub", "yahoo"])
def provider_of_known_tickers(
    request: pytest.FixtureRequest, http_provider: HttpFactory
) -> MarketDataProvider:
    """The providers that know only some tickers (replay makes up any ticker's history)."""
    return bounded(request.param, http_provider)


def bounded(name: str, http_provider: HttpFactory) -> MarketDataProvider:
    if name == "fake":
        return MemoryProvider(DataSource.FINNHUB, TestClock(), tickers=[KNOWN, "MSFT"])
    return http_provider(name)
