"""The snapshot cache on SQLite, PostgreSQL and Redis: TTL, stale only when asked, status."""

from __future__ import annotations

import pytest

from tradewire.analysis.config import IndicatorSettings
from tradewire.core.clock import TestClock
from tradewire.core.errors import RetryableError
from tradewire.core.events import DataSource
from tradewire.marketdata.adapters.replay import ReplayProvider
from tradewire.marketdata.cache import SnapshotCache
from tradewire.marketdata.failover import Failover
from tradewire.marketdata.ports import ProviderError
from tradewire.marketdata.service import MarketDataService


@pytest.fixture
def store(kv_store):
    return kv_store


async def make(store, ttl: float = 300.0):
    clock = TestClock(start_ns=1_763_000_000 * 10**9)
    replay = ReplayProvider(clock)
    cache = SnapshotCache(store, clock, ttl)
    service = MarketDataService(
        Failover([replay], [replay], clock), cache, IndicatorSettings(), clock
    )
    return clock, cache, service


async def test_fresh_then_stale_only_when_asked(store) -> None:
    clock, cache, service = await make(store)
    collected = await service.collect("SPY")
    assert collected.data_source is DataSource.REPLAY

    fresh = await cache.get_fresh("SPY")
    assert fresh is not None and not fresh.stale
    assert fresh.snapshot.data_source is DataSource.CACHE
    # The original provider is still recorded on every datum.
    assert fresh.snapshot.quote.data_source is DataSource.REPLAY
    assert {t.candles.data_source for t in fresh.snapshot.timeframes} == {DataSource.REPLAY}
    assert fresh.snapshot.quote == collected.quote
    assert fresh.snapshot.timeframes == collected.timeframes
    assert not await cache.is_stale("SPY")

    clock.advance(301)
    assert await cache.get_fresh("SPY") is None
    assert await cache.get("SPY") is None
    assert await cache.is_stale("SPY")
    stale = await cache.get("SPY", allow_stale=True)
    assert stale is not None and stale.stale and stale.snapshot.stale
    assert stale.age_s == pytest.approx(301, abs=1)
    assert await cache.get_all() == {}
    assert set(await cache.get_all(allow_stale=True)) == {"SPY"}


async def test_status_tickers_and_clear(store) -> None:
    _clock, cache, service = await make(store)
    assert (await cache.status()).entries == 0
    for ticker in ("SPY", "QQQ", "BRK.B"):
        await service.collect(ticker)
    await service.collect("SPY")  # replaces, does not add
    status = await cache.status()
    assert status.entries == 3 and status.bytes > 10_000
    assert await cache.tickers() == ["BRK.B", "QQQ", "SPY"]
    assert set(await cache.get_all()) == {"BRK.B", "QQQ", "SPY"}
    assert await cache.clear("QQQ") == 1
    assert await cache.tickers() == ["BRK.B", "SPY"]
    assert await cache.clear() == 2
    assert (await cache.status()).entries == 0


async def test_unreadable_entry_is_a_miss(store) -> None:
    clock, cache, _service = await make(store)
    await store.put("SPY", b"not a snapshot", clock.now_ns())
    assert await cache.get_fresh("SPY") is None


async def test_service_serves_stale_only_when_allowed_and_sources_fail(store) -> None:
    clock, _cache, service = await make(store, ttl=60)
    await service.collect("SPY")
    clock.advance(120)

    class Down:
        name = DataSource.REPLAY
        calls = 0

        async def quote(self, ticker):
            raise ProviderError(DataSource.REPLAY, "down")

        candles = quote

    service.failover = Failover([Down()], [Down()], clock)

    with pytest.raises(RetryableError):
        await service.snapshot("SPY")
    served = await service.snapshot("SPY", allow_stale=True)
    assert served.stale and served.snapshot.data_source is DataSource.CACHE


async def test_another_process_reads_the_backend(store) -> None:
    clock, cache, service = await make(store)
    saved = await service.collect("QQQ")
    cold = SnapshotCache(store, clock, 300.0, hot_entries=0)
    entry = await cold.get_fresh("QQQ")
    assert entry is not None and entry.snapshot.data_source is DataSource.CACHE
    assert entry.snapshot.quote == saved.quote and entry.snapshot.timeframes == saved.timeframes
    assert entry.stored_ns == (await cache.get_fresh("QQQ")).stored_ns
    clock.advance(300)
    assert await cold.get_fresh("QQQ") is None
    assert (await cold.get("QQQ", allow_stale=True)).stale


async def test_an_expired_local_copy_yields_to_a_newer_backend_entry(store) -> None:
    clock, cache, service = await make(store)
    await service.collect("SPY")
    clock.advance(400)
    # Another process (its own cache over the same backend) refreshes SPY.
    other = SnapshotCache(store, clock, 300.0)
    newer = await MarketDataService(service.failover, other, IndicatorSettings(), clock).collect(
        "SPY"
    )
    entry = await cache.get_fresh("SPY")
    assert entry is not None and entry.age_s == 0 and entry.snapshot.quote == newer.quote
