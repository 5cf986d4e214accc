"""Benchmark the market data collector: call-budget use under a strict provider, and cache speed.

1. Budget: one collection cycle over 50 tickers (quote + daily + hourly candles = 150 calls)
   against the fake Finnhub, which answers 429 whenever a request would be the 61st in any
   window. Time is compressed: the window is ``--window`` seconds (default 12) instead of 60,
   with the same 60-call budget, so the cycle spans about three windows and the whole run takes
   about a minute. Utilisation = calls made in the complete windows the cycle spans / calls the
   budget allows in them. Baseline in the same run: the same cycle through a token bucket
   (60 per window, refilled continuously — the usual "rate limiter"), without retries.
2. Cache: p50/p99 of a cached lookup (``get_fresh``: read, decode, rebuild events) on SQLite,
   PostgreSQL and Redis, against the uncached path (collect from the fake provider) as baseline.

Run: ``.venv/bin/python bench/collector.py [--window 12]``. Writes bench/results/collector.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fake_providers import FINNHUB_KEY, FakeProvider, fake_finnhub  # noqa: E402
from tests.support.services import (  # noqa: E402
    PG_HOST,
    PG_PORT,
    REDIS_HOST,
    REDIS_PORT,
    PostgresDatabase,
    reachable,
)
from tradewire.analysis.config import IndicatorSettings  # noqa: E402
from tradewire.core.clock import LiveClock  # noqa: E402
from tradewire.core.events import DataSource  # noqa: E402
from tradewire.marketdata.adapters.finnhub import FinnhubProvider  # noqa: E402
from tradewire.marketdata.adapters.http import ProviderHttp  # noqa: E402
from tradewire.marketdata.adapters.redis_cache import RedisKeyValueStore  # noqa: E402
from tradewire.marketdata.cache import SnapshotCache  # noqa: E402
from tradewire.marketdata.collector import Collector  # noqa: E402
from tradewire.marketdata.failover import Failover  # noqa: E402
from tradewire.marketdata.ports import KeyValueStore  # noqa: E402
from tradewire.marketdata.ratelimit import SlidingWindowLimiter  # noqa: E402
from tradewire.marketdata.service import MarketDataService  # noqa: E402
from tradewire.marketdata.watchlist import Watchlist  # noqa: E402
from tradewire.storage.db import create_db_engine  # noqa: E402
from tradewire.storage.migrate import upgrade  # noqa: E402
from tradewire.storage.repositories.marketdata import (  # noqa: E402
    SqlKeyValueStore,
    SqlWatchlistStore,
)
from tradewire.storage.writer import GroupCommitWriter  # noqa: E402

LIMIT = 60
TICKERS = 50


class TokenBucket:
    """Baseline limiter: ``limit`` tokens, refilled continuously at limit/window per second."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._tokens, self._stamp = float(limit), time.monotonic()
        self._lock = asyncio.Lock()
        self.calls = 0

    def used(self) -> int:
        return 0

    async def __aenter__(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                rate = self.limit / self.window
                self._tokens = min(self.limit, self._tokens + (now - self._stamp) * rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    self.calls += 1
                    return
                await asyncio.sleep((1 - self._tokens) / rate)

    async def __aexit__(self, *exc: object) -> None:
        return None


def tickers() -> list[str]:
    names = ["SPY", "QQQ"]
    for a, b, c in itertools.product("ABCDEFGHJKLMNPRSTUVWXY", repeat=3):
        if len(names) == TICKERS:
            break
        names.append(a + b + c)
    return names


class Stack:
    """A collector over the fake Finnhub with a given limiter, on a fresh SQLite database."""

    def __init__(self, base_url: str, limiter, retries: int) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tw-bench-"))
        url = f"sqlite:///{self.dir / 'bench.db'}"
        self.engine = create_db_engine(url)
        upgrade(url, engine=self.engine)
        self.writer = GroupCommitWriter(self.engine)
        self.writer.start()
        clock = LiveClock()
        http = ProviderHttp(
            DataSource.FINNHUB, base_url, limiter, retries=retries,
            headers={"X-Finnhub-Token": FINNHUB_KEY},
        )  # fmt: skip
        self.provider = FinnhubProvider(http, clock)
        failover = Failover([self.provider], [self.provider], clock, unhealthy_after=10_000)
        cache = SnapshotCache(SqlKeyValueStore(self.engine, self.writer), clock)
        service = MarketDataService(failover, cache, IndicatorSettings(), clock)
        watchlist = Watchlist(SqlWatchlistStore(self.engine, self.writer), clock)
        self.collector = Collector(
            service, watchlist, clock, interval_s=300, status_path=self.dir / "status.json",
            concurrency=TICKERS,
        )  # fmt: skip

    async def close(self) -> None:
        await self.provider.aclose()
        self.writer.stop()
        self.engine.dispose()


def utilisation(arrivals: list[float], window: float) -> tuple[float, int, int]:
    """Accepted calls in the complete windows the run spans / calls allowed in them."""
    first, last = arrivals[0], arrivals[-1]
    full = max(1, int((last - first) // window))
    used = sum(1 for t in arrivals if t < first + full * window)
    return used / (full * LIMIT), used, full


def max_in_window(arrivals: list[float], window: float) -> int:
    best, j = 0, 0
    for i, t in enumerate(arrivals):
        while arrivals[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


async def budget_run(fake: FakeProvider, name: str, limiter, window: float, retries: int):
    fake.state.arrivals.clear()
    fake.state.faults.clear()
    fake.state.rejected_429 = 0
    fake.state.accepted.clear()
    stack = Stack(fake.base_url, limiter, retries)
    try:
        await stack.collector.watchlist.load()
        for ticker in tickers()[2:]:
            await stack.collector.watchlist.add(ticker)
        started = time.perf_counter()
        cycle = await stack.collector.run_once()
        elapsed = time.perf_counter() - started
    finally:
        await stack.close()
    arrivals = sorted(t for t, _ in fake.state.arrivals)
    share, used, full = utilisation(sorted(fake.state.accepted), window)
    return {
        "limiter": name,
        "tickers": cycle.tickers,
        "succeeded": cycle.succeeded,
        "calls": len(arrivals),
        "http_429": fake.state.rejected_429,
        "max_calls_in_any_window": max_in_window(arrivals, window),
        "complete_windows": full,
        "calls_in_complete_windows": used,
        "budget_utilisation": round(share, 4),
        "seconds": round(elapsed, 2),
    }


async def cache_lookups(store: KeyValueStore, samples: int) -> dict[str, float]:
    clock = LiveClock()
    from tradewire.marketdata.adapters.replay import ReplayProvider

    replay = ReplayProvider(clock)
    cache = SnapshotCache(store, clock, ttl_s=3600)
    service = MarketDataService(
        Failover([replay], [replay], clock), cache, IndicatorSettings(), clock
    )
    names = tickers()
    for ticker in names:
        await service.collect(ticker)
    # The backend path, as a process that did not write the entries sees it.
    cold = SnapshotCache(store, clock, ttl_s=3600, hot_entries=0)
    found = {
        "hit": await lookups(cache, names, samples),
        "backend": await lookups(cold, names, samples),
        "entry_bytes": (await cache.status()).bytes // len(names),
    }
    await cache.clear()
    return found


async def lookups(cache: SnapshotCache, names: list[str], samples: int) -> dict[str, float]:
    rng = random.Random(1)
    timings = []
    for _ in range(samples):
        ticker = rng.choice(names)
        began = time.perf_counter_ns()
        entry = await cache.get_fresh(ticker)
        timings.append((time.perf_counter_ns() - began) / 1e6)
        assert entry is not None and entry.snapshot.data_source is DataSource.CACHE
    return percentiles(timings)


def percentiles(ms: list[float]) -> dict[str, float]:
    q = statistics.quantiles(ms, n=100)
    return {"p50_ms": round(q[49], 4), "p99_ms": round(q[98], 4), "n": len(ms)}


async def uncached_baseline(fake: FakeProvider, samples: int) -> dict[str, float]:
    """The path a cache hit avoids: collect from the provider (3 HTTP calls) and analyse."""
    fake.state.strict_limit = None
    stack = Stack(fake.base_url, SlidingWindowLimiter(10_000, 60), retries=0)
    try:
        timings = []
        for i in range(samples):
            began = time.perf_counter_ns()
            await stack.collector.service.collect(tickers()[i % TICKERS])
            timings.append((time.perf_counter_ns() - began) / 1e6)
    finally:
        await stack.close()
    return percentiles(timings)


async def main(window: float, samples: int) -> dict[str, object]:
    results: dict[str, object] = {"window_s": window, "limit": LIMIT, "tickers": TICKERS}
    with fake_finnhub() as fake:
        fake.state.strict_limit, fake.state.window_s = LIMIT, window
        ours = await budget_run(
            fake, "sliding window", SlidingWindowLimiter(LIMIT, window), window, 3
        )
        fake.state.strict_limit, fake.state.window_s = LIMIT, window
        base = await budget_run(
            fake, "token bucket (baseline)", TokenBucket(LIMIT, window), window, 0
        )
        results["budget"] = [ours, base]
        results["uncached_collect"] = await uncached_baseline(fake, 40)

    stores: dict[str, KeyValueStore] = {}
    tmp = Path(tempfile.mkdtemp(prefix="tw-bench-cache-"))
    sqlite_url = f"sqlite:///{tmp / 'cache.db'}"
    engines = []
    urls = {"sqlite": sqlite_url}
    database = None
    if reachable(PG_HOST, PG_PORT):
        database = PostgresDatabase().create()
        urls["postgresql"] = database.url
    writers = []
    for name, url in urls.items():
        engine = create_db_engine(url)
        upgrade(url, engine=engine)
        writer = GroupCommitWriter(engine)
        writer.start()
        engines.append(engine)
        writers.append(writer)
        stores[name] = SqlKeyValueStore(engine, writer)
    if reachable(REDIS_HOST, REDIS_PORT):
        stores["redis"] = RedisKeyValueStore(
            f"redis://{REDIS_HOST}:{REDIS_PORT}/0", f"tw-bench:{uuid.uuid4().hex}:"
        )
    cache_results = {}
    try:
        for name, store in stores.items():
            cache_results[name] = await cache_lookups(store, samples)
    finally:
        for store in stores.values():
            await store.aclose()
        for writer in writers:
            writer.stop()
        for engine in engines:
            engine.dispose()
        if database:
            database.drop()
    results["cache"] = cache_results
    return results


def report(results: dict) -> None:
    console = Console(width=150)
    title = (
        f"collection cycle, {TICKERS} tickers, strict fake: {LIMIT} calls per "
        f"{results['window_s']:g} s window (compressed from 60 s)"
    )
    budget = Table(title=title)
    for col in ("limiter", "calls", "429s", "max in any window", "utilisation", "succeeded", "s"):
        budget.add_column(col, justify="right")
    for row in results["budget"]:
        budget.add_row(
            row["limiter"], str(row["calls"]), str(row["http_429"]),
            str(row["max_calls_in_any_window"]), f"{row['budget_utilisation']:.1%}",
            f"{row['succeeded']}/{row['tickers']}", f"{row['seconds']:.1f}",
        )  # fmt: skip
    console.print(budget)
    cache = Table(title="cached lookup, get_fresh (entry: quote + 3 x 300 bars + analysis)")
    for col in ("backend", "path", "p50 ms", "p99 ms", "entry bytes", "vs uncached p50"):
        cache.add_column(col, justify="right")
    base = results["uncached_collect"]
    cache.add_row("none", "collect from provider (baseline)", f"{base['p50_ms']:.3f}",
                  f"{base['p99_ms']:.3f}", "-", "1x")  # fmt: skip
    for name, row in results["cache"].items():
        for path, label in (("hit", "in-process tier"), ("backend", "backend read + decode")):
            r = row[path]
            speedup = f"{base['p50_ms'] / r['p50_ms']:.0f}x"
            cache.add_row(name, label, f"{r['p50_ms']:.4f}", f"{r['p99_ms']:.4f}",
                          str(row["entry_bytes"]), speedup)  # fmt: skip
    console.print(cache)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=12.0, help="rate window, seconds")
    parser.add_argument("--samples", type=int, default=2000, help="cache lookups per backend")
    args = parser.parse_args()
    outcome = asyncio.run(main(args.window, args.samples))
    report(outcome)
    out = ROOT / "bench" / "results" / "collector.json"
    out.write_bytes(orjson.dumps(outcome, option=orjson.OPT_INDENT_2))
    Console().print(f"written {out.relative_to(ROOT)}")
