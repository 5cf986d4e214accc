"""Replay provider: realistic, deterministic price series generated locally — no network.

Each ticker gets its own seeded geometric random walk of hourly bars with GARCH(1,1) volatility
clustering and a U-shaped intraday volume profile over US regular sessions (13:30–20:00 UTC,
weekdays). Daily bars are the sessions' aggregates. The series ends at the last hour completed
before the clock's "now", so a demo moves with time while a fixed clock gives identical data.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from tradewire.core.clock import Clock
from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe
from tradewire.core.ids import stable_id
from tradewire.marketdata.ports import NoDataError
from tradewire.marketdata.series import resample, series_from_columns

SESSION_OPEN_S = 13 * 3600 + 30 * 60
BARS_PER_SESSION = 7  # 13:30, 14:30, ... 19:30 (the last bar is the closing half hour)
#: Relative volume by hour of the session: busy open and close, quiet lunch.
VOLUME_SHAPE = np.array([1.9, 1.2, 0.9, 0.8, 0.85, 1.1, 1.7])
HISTORY_SESSIONS = 320
#: Rough price levels of well-known tickers, so the demo's numbers look like the market's;
#: other tickers start anywhere from 20 to 500.
REFERENCE_PRICES = {
    "SPY": 600.0,
    "QQQ": 520.0,
    "IWM": 220.0,
    "DIA": 440.0,
    "AAPL": 230.0,
    "MSFT": 450.0,
    "NVDA": 160.0,
    "TSLA": 350.0,
    "AMZN": 210.0,
    "META": 650.0,
    "GOOGL": 190.0,
    "AMD": 150.0,
}


def _seed(ticker: str) -> int:
    return int(stable_id("replay", ticker)[:12], 16)


def _session_starts(end_s: int, sessions: int) -> list[int]:
    """Return the open times (epoch s) of the last ``sessions`` weekday sessions before end."""
    day = end_s - end_s % 86_400
    starts: list[int] = []
    while len(starts) < sessions:
        weekday = (day // 86_400 + 3) % 7  # 1970-01-01 was a Thursday (3)
        if weekday < 5 and day + SESSION_OPEN_S < end_s:
            starts.append(day + SESSION_OPEN_S)
        day -= 86_400
    return starts[::-1]


@lru_cache(maxsize=512)
def _hourly(ticker: str, end_hour_s: int) -> tuple[tuple[float, ...], ...]:
    """Generate hourly bars up to ``end_hour_s`` as (ts, o, h, l, c, v) columns."""
    rng = np.random.default_rng(_seed(ticker))
    starts = _session_starts(end_hour_s, HISTORY_SESSIONS)
    stamps = [s + i * 3600 for s in starts for i in range(BARS_PER_SESSION)]
    n = len(stamps)
    reference = REFERENCE_PRICES.get(ticker)
    price0 = float(rng.uniform(20, 500) if reference is None else reference * rng.uniform(0.8, 1))
    base_var = float(rng.uniform(0.004, 0.012)) ** 2  # hourly variance
    drift = float(rng.normal(0.0001, 0.0003))
    shocks = rng.standard_normal(n)
    returns = np.empty(n)
    var = base_var
    for i in range(n):
        # GARCH(1,1): yesterday's surprise and variance feed today's, so calm and storm cluster.
        returns[i] = drift + math.sqrt(var) * shocks[i]
        var = 0.05 * base_var + 0.10 * returns[i] ** 2 + 0.85 * var
    close = price0 * np.exp(np.cumsum(returns))
    open_ = np.concatenate(([price0], close[:-1])) * np.exp(rng.normal(0, 0.0005, n))
    spread = np.abs(rng.normal(0, np.sqrt(base_var) * 0.6, n)) * close
    high = np.maximum(open_, close) + spread * rng.uniform(0.2, 1.0, n)
    low = np.minimum(open_, close) - spread * rng.uniform(0.2, 1.0, n)
    low = np.maximum(low, np.minimum(open_, close) * 0.9)
    shape = np.tile(VOLUME_SHAPE, n // BARS_PER_SESSION)
    volume = np.round(rng.lognormal(13, 0.4, n) * shape * (1 + 20 * np.abs(returns)))
    stamps_in = [t for t in stamps if t + 3600 <= end_hour_s]
    k = len(stamps_in)
    return (
        tuple(stamps_in),
        tuple(np.round(open_[:k], 4)),
        tuple(np.round(high[:k], 4)),
        tuple(np.round(low[:k], 4)),
        tuple(np.round(close[:k], 4)),
        tuple(volume[:k]),
    )


class ReplayProvider:
    """Quotes and candles from the generated series; ``calls`` counts requests served."""

    name = DataSource.REPLAY

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.calls = 0

    def _series(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        now_s = self._clock.now_ns() // 1_000_000_000
        ts, o, h, lo, c, v = _hourly(ticker, now_s - now_s % 3600)
        hourly = series_from_columns(
            ticker=ticker,
            timeframe=Timeframe.H1,
            source=self.name,
            ts=ts,
            open=o,
            high=h,
            low=lo,
            close=c,
            volume=v,
            ts_init=self._clock.now_ns(),
        )
        if not len(hourly):
            raise NoDataError(self.name, f"no replay data for {ticker}")
        return hourly if timeframe is Timeframe.H1 else resample(hourly, timeframe)

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        """Return the generated bars of ``ticker`` in ``timeframe``."""
        self.calls += 1
        return self._series(ticker, timeframe)

    async def quote(self, ticker: str) -> Quote:
        """Return a quote that wanders minute by minute from the last hourly close."""
        self.calls += 1
        hourly = self._series(ticker, Timeframe.H1)
        daily = resample(hourly, Timeframe.DAY)
        now = self._clock.now_ns()
        minute = now // 60_000_000_000
        wiggle = np.random.default_rng([_seed(ticker), minute]).normal(0, 0.002)
        price = round(hourly.close[-1] * math.exp(wiggle), 4)
        prev = daily.close[-2] if len(daily) > 1 else daily.open[-1]
        return Quote(
            ticker=ticker,
            price=price,
            change=round(price - prev, 4),
            change_percent=round((price - prev) / prev * 100, 4),
            open=daily.open[-1],
            high=max(daily.high[-1], price),
            low=min(daily.low[-1], price),
            prev_close=prev,
            volume=daily.volume[-1],
            data_source=self.name,
            ts_event=now,
            ts_init=now,
        )

    async def aclose(self) -> None:
        """Nothing to release."""
