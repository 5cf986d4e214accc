"""Collect and serve one ticker's market snapshot: quote, candles, indicators and levels.

Fresh snapshots come from the cache; otherwise the sources are asked (through failover) and
the result is analysed and cached. A stale cache entry is served only to a caller who allows
it, and only when the sources cannot answer.
"""

from __future__ import annotations

import asyncio

import structlog

from tradewire.analysis.config import IndicatorSettings
from tradewire.analysis.indicators import compute_indicators
from tradewire.analysis.levels import find_levels
from tradewire.core.clock import Clock
from tradewire.core.errors import RejectError, RetryableError
from tradewire.core.events import (
    CandleSeries,
    MarketSnapshot,
    Timeframe,
    TimeframeAnalysis,
)
from tradewire.marketdata.cache import CachedSnapshot, SnapshotCache
from tradewire.marketdata.failover import Failover
from tradewire.marketdata.series import resample

log = structlog.get_logger(__name__)

#: Bars of each timeframe kept in a snapshot (indicators use the whole fetched history).
MAX_BARS = 300


class MarketDataService:
    """Quote, candles and analysis of a ticker, from cache or sources."""

    def __init__(
        self,
        failover: Failover,
        cache: SnapshotCache,
        periods: IndicatorSettings,
        clock: Clock,
    ) -> None:
        self.failover = failover
        self.cache = cache
        self._periods = periods
        self._clock = clock

    async def collect(self, ticker: str) -> MarketSnapshot:
        """Fetch, analyse and cache ``ticker`` now. The quote is required; each timeframe's
        candles are included where a source had them."""
        quote, daily, hourly = await asyncio.gather(
            self.failover.quote(ticker),
            self._candles(ticker, Timeframe.DAY),
            self._candles(ticker, Timeframe.H1),
            return_exceptions=True,
        )
        for outcome in (quote, daily, hourly):
            # Candle errors the sources can have were already turned into None; anything left
            # (the quote's error, or a bug) is this ticker's failure.
            if isinstance(outcome, BaseException):
                raise outcome
        series: list[CandleSeries] = []
        if daily is not None:
            series.append(daily)
        if hourly is not None:
            series.extend((resample(hourly, Timeframe.H4), hourly))
        snapshot = MarketSnapshot(
            ticker=ticker,
            quote=quote,
            timeframes=tuple(self.analyse(s) for s in series),
            data_source=quote.data_source,
            ts_event=quote.ts_event,
            ts_init=self._clock.now_ns(),
        )
        await self.cache.save(snapshot)
        return snapshot

    async def snapshot(self, ticker: str, *, allow_stale: bool = False) -> CachedSnapshot:
        """Return a fresh cached snapshot, else collect one; fall back to a stale entry only
        with ``allow_stale`` when the sources fail."""
        cached = await self.cache.get_fresh(ticker)
        if cached is not None:
            return cached
        try:
            return CachedSnapshot(snapshot=await self.collect(ticker), stored_ns=0, age_s=0.0)
        except RetryableError:
            if allow_stale:
                stale = await self.cache.get(ticker, allow_stale=True)
                if stale is not None:
                    return stale
            raise

    def analyse(self, series: CandleSeries) -> TimeframeAnalysis:
        """Return indicators and support/resistance of ``series`` (kept to MAX_BARS bars)."""
        support, resistance = find_levels(
            series,
            window=self._periods.swing_window,
            tolerance_pct=self._periods.level_tolerance_pct,
        )
        return TimeframeAnalysis(
            candles=_tail(series, MAX_BARS),
            indicators=compute_indicators(series, self._periods),
            support=support,
            resistance=resistance,
        )

    async def _candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries | None:
        try:
            return await self.failover.candles(ticker, timeframe)
        except (RetryableError, RejectError) as exc:
            log.info("candles unavailable", ticker=ticker, timeframe=timeframe, error=exc.message)
            return None


def _tail(series: CandleSeries, bars: int) -> CandleSeries:
    if len(series) <= bars:
        return series
    return CandleSeries(
        ticker=series.ticker,
        timeframe=series.timeframe,
        data_source=series.data_source,
        ts=series.ts[-bars:],
        open=series.open[-bars:],
        high=series.high[-bars:],
        low=series.low[-bars:],
        close=series.close[-bars:],
        volume=series.volume[-bars:],
        ts_event=series.ts_event,
        ts_init=series.ts_init,
    )
