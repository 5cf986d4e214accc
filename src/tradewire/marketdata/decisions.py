"""Run the decision engine on a ticker's market snapshot, as the API, the CLI and the analyst do.

The snapshot is read cache-first through :class:`MarketDataService` (fetched when the cache
has no fresh entry), and so are the market proxies' (``context_tickers``) snapshots. A proxy
that cannot be had is left out: the market-context component is then flagged as having no
data, never filled in, and the analysis goes on. ``data_source`` says where the data came
from: ``cache``, ``live_api`` (fetched for this call) or ``simulated`` (the replay provider,
whether cached or not: simulated prices must never pass for the market's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

import numpy as np
import structlog

from tradewire.analysis.analyzer import Analysis, DecisionEngine, MarketInputs
from tradewire.analysis.components import NS_PER_S, Frame
from tradewire.analysis.sizing import AccountView
from tradewire.core.clock import Clock
from tradewire.core.errors import NotFoundError, RetryableError, TradewireError
from tradewire.core.events import CandleSeries, DataSource, MarketSnapshot, Timeframe
from tradewire.marketdata.cache import CachedSnapshot
from tradewire.marketdata.service import MarketDataService
from tradewire.marketdata.watchlist import validate_ticker
from tradewire.users.settings import UserSettings

log = structlog.get_logger(__name__)

#: The retry hint when the sources failed without saying when to come back.
DEFAULT_RETRY_S = 5.0


class CashBalance(Protocol):
    """One currency of an account: what it is worth and what it can still pay for."""

    @property
    def currency(self) -> str: ...

    @property
    def equity(self) -> Decimal: ...

    @property
    def available(self) -> Decimal: ...


def paper_account_view(
    settings: UserSettings, balances: Iterable[CashBalance], currency: str = "USD"
) -> AccountView | None:
    """Return the account a user's size is for: their risk and notional percentages, their
    paper equity in ``currency`` and its available balance as buying power; None when the
    paper account holds no ``currency``."""
    balance = next((b for b in balances if b.currency == currency), None)
    if balance is None:
        return None
    return AccountView(
        equity=balance.equity,
        risk_percent=settings.risk_percent,
        max_notional_percent=settings.max_notional_percent,
        buying_power=balance.available,
        currency=currency,
    )


class AnalysisService:
    """The decision engine's call on a ticker, from the market data the service holds."""

    def __init__(self, marketdata: MarketDataService, engine: DecisionEngine, clock: Clock) -> None:
        self.marketdata = marketdata
        self.engine = engine
        self._clock = clock
        self._proxies: Sequence[str] = engine.settings.context_tickers

    async def analyze(
        self,
        ticker: object,
        account: AccountView,
        *,
        allow_stale: bool = False,
        cached_only: bool = False,
    ) -> Analysis:
        """Return the analysis of ``ticker`` sized for ``account``.

        ``allow_stale`` serves an expired cache entry when the sources fail (as
        ``/api/marketdata`` does); ``cached_only`` reads only fresh cache entries and never asks
        a provider (the analyst, right after a collection cycle). Raises ValidationError for a
        malformed ticker, NotFoundError when no source knows it (or none has its bars), and
        RetryableError, with a retry hint, when the sources are down.
        """
        symbol = validate_ticker(ticker)
        proxies = [p for p in self._proxies if p != symbol]
        found = await asyncio.gather(
            *(self._snapshot(t, allow_stale, cached_only) for t in (symbol, *proxies)),
            return_exceptions=True,
        )
        main, context = found[0], {}
        if isinstance(main, RetryableError) and main.retry_after is None:
            raise RetryableError(main.message, retry_after=self._retry_hint()) from main
        if isinstance(main, BaseException):
            raise main
        for proxy, outcome in zip(proxies, found[1:], strict=True):
            if isinstance(outcome, TradewireError):
                # Flagged by the engine as missing market context; never a reason to fail.
                log.info("market proxy unavailable", proxy=proxy, error=outcome.message)
            elif isinstance(outcome, BaseException):
                raise outcome
            elif (daily := outcome.snapshot.timeframe(Timeframe.DAY)) is not None:
                context[proxy] = frame_of(daily.candles)
        inputs = inputs_of(main, context, data_source(main), self._clock)
        # Scoring is CPU work (TA-Lib, pattern search): off the event loop, which carries the
        # signal broadcast.
        return await asyncio.to_thread(self.engine.analyze, inputs, account)

    async def _snapshot(self, ticker: str, allow_stale: bool, cached_only: bool) -> CachedSnapshot:
        if not cached_only:
            return await self.marketdata.snapshot(ticker, allow_stale=allow_stale)
        cached = await self.marketdata.cache.get_fresh(ticker)
        if cached is None:
            raise NotFoundError(f"no fresh cached market data of {ticker}")
        return cached

    def _retry_hint(self) -> float:
        """Seconds until the first unhealthy quote source is probed again (the default when
        none is held back: a source failed without saying for how long)."""
        now = self._clock.now_ns()
        waits = [
            (health.unhealthy_until_ns - now) / NS_PER_S
            for health in self.marketdata.failover.health()
            if health.kind == "quote" and health.unhealthy_until_ns > now
        ]
        return max(1.0, min(waits)) if waits else DEFAULT_RETRY_S


def data_source(cached: CachedSnapshot) -> str:
    """Return where a snapshot's data came from: ``simulated``, ``cache`` or ``live_api``."""
    snapshot = cached.snapshot
    if snapshot.quote.data_source is DataSource.REPLAY:
        return "simulated"
    return "cache" if snapshot.data_source is DataSource.CACHE else "live_api"


def frame_of(series: CandleSeries) -> Frame:
    """Return ``series`` as the engine's columns (its epoch seconds as epoch nanoseconds)."""
    return Frame(
        ts=np.asarray(series.ts, dtype=np.int64) * NS_PER_S,
        high=np.asarray(series.high, dtype=np.float64),
        low=np.asarray(series.low, dtype=np.float64),
        close=np.asarray(series.close, dtype=np.float64),
        volume=np.asarray(series.volume, dtype=np.float64),
    )


def inputs_of(
    cached: CachedSnapshot, context: dict[str, Frame], source: str, clock: Clock
) -> MarketInputs:
    """Return what the engine reads from a snapshot: every timeframe with bars, the quote's
    price and time, and the data's age (the cache entry's, else since it was fetched)."""
    snapshot: MarketSnapshot = cached.snapshot
    frames = {
        t.candles.timeframe.value: frame_of(t.candles)
        for t in snapshot.timeframes
        if len(t.candles)
    }
    if not frames:
        raise NotFoundError(f"no source has bars of {snapshot.ticker} to analyse")
    fetched = snapshot.data_source is not DataSource.CACHE
    age_s = max(0.0, (clock.now_ns() - snapshot.ts_init) / NS_PER_S) if fetched else cached.age_s
    return MarketInputs(
        ticker=snapshot.ticker,
        frames=frames,
        price=snapshot.quote.price,
        as_of_ns=snapshot.quote.ts_event,
        data_source=source,
        age_s=age_s,
        context=context,
    )
