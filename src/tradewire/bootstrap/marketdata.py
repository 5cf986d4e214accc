"""Build the collector and everything behind it from Settings."""

from __future__ import annotations

import structlog

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.core.events import DataSource
from tradewire.marketdata.adapters.finnhub import FinnhubProvider
from tradewire.marketdata.adapters.http import ProviderHttp
from tradewire.marketdata.adapters.redis_cache import RedisKeyValueStore
from tradewire.marketdata.adapters.replay import ReplayProvider
from tradewire.marketdata.adapters.yahoo import USER_AGENT, YAHOO_ANSWERS, YahooProvider
from tradewire.marketdata.cache import SnapshotCache
from tradewire.marketdata.collector import Collector
from tradewire.marketdata.failover import Failover
from tradewire.marketdata.ports import KeyValueStore, MarketDataProvider
from tradewire.marketdata.ratelimit import SlidingWindowLimiter
from tradewire.marketdata.service import MarketDataService
from tradewire.marketdata.watchlist import Watchlist
from tradewire.settings import Settings
from tradewire.storage.db import Engine
from tradewire.storage.repositories.marketdata import SqlKeyValueStore, SqlWatchlistStore
from tradewire.storage.writer import GroupCommitWriter

log = structlog.get_logger(__name__)


def build_providers(
    settings: Settings, clock: Clock
) -> tuple[dict[str, MarketDataProvider], dict[str, SlidingWindowLimiter]]:
    """Create each provider named in the settings, with its call budget."""
    wanted = dict.fromkeys([*settings.quote_providers, *settings.candle_providers])
    providers: dict[str, MarketDataProvider] = {}
    budgets: dict[str, SlidingWindowLimiter] = {}
    for name in wanted:
        if name == "replay":
            providers[name] = ReplayProvider(clock)
            continue
        if name == "finnhub":
            if settings.finnhub_api_key is None:
                log.warning("finnhub skipped: TRADEWIRE_FINNHUB_API_KEY is not set")
                continue
            limit, base, source = settings.finnhub_rate_limit, settings.finnhub_base_url, "finnhub"
            headers = {"X-Finnhub-Token": settings.finnhub_api_key.get_secret_value()}
            answers = frozenset({200})
        else:
            limit, base, source = settings.yahoo_rate_limit, settings.yahoo_base_url, "yahoo"
            headers = {"user-agent": USER_AGENT}
            answers = YAHOO_ANSWERS
        budgets[name] = SlidingWindowLimiter(limit, settings.rate_window_s)
        http = ProviderHttp(
            DataSource(source),
            base,
            budgets[name],
            timeout=settings.provider_timeout_s,
            retries=settings.provider_retries,
            headers=headers,
            answers=answers,
        )
        adapter = FinnhubProvider if name == "finnhub" else YahooProvider
        providers[name] = adapter(http, clock)
    return providers, budgets


def build_collector(
    settings: Settings,
    *,
    engine: Engine,
    writer: GroupCommitWriter,
    clock: Clock,
    bus: MessageBus | None = None,
) -> Collector | None:
    """Return the collector, or None (with a warning) when no configured source is usable."""
    providers, budgets = build_providers(settings, clock)
    quotes = [providers[n] for n in settings.quote_providers if n in providers]
    candles = [providers[n] for n in settings.candle_providers if n in providers]
    if not quotes or not candles:
        log.warning("market data collector disabled: no usable source configured")
        return None
    failover = Failover(
        quotes,
        candles,
        clock,
        unhealthy_after=settings.provider_unhealthy_after,
        probe_after_s=settings.provider_probe_after_s,
    )
    store: KeyValueStore
    if settings.redis_url:
        store = RedisKeyValueStore(settings.redis_url, f"{settings.redis_prefix}mdcache:")
    else:
        store = SqlKeyValueStore(engine, writer)
    cache = SnapshotCache(store, clock, settings.cache_ttl_s)
    service = MarketDataService(failover, cache, settings.indicators, clock)
    return Collector(
        service,
        Watchlist(SqlWatchlistStore(engine, writer), clock, settings.watchlist_max),
        clock,
        interval_s=settings.collector_interval_s,
        status_path=settings.collector_status_file,
        bus=bus,
        concurrency=settings.collector_concurrency,
        budgets=budgets,
        auto_start=settings.collector_auto_start,
        closers=(cache.aclose, *(p.aclose for p in providers.values())),
    )
