"""The decision engine's components, computed for every bar of a series at once.

Each component scores a bar from 0 (bearish) to 100 (bullish), 50 meaning no lean, using only
that bar and the bars before it: indicators run forward over the series (TA-Lib's values at a
bar depend on nothing after it), rolling sums look back, and the coarser timeframes are built
from the bars so far. A bar where a component has no data is NaN here; the engine scores it a
neutral 50 and flags it, and never guesses. Formulas (``tanh`` squashes a ratio into −1…1):

* **technical_analysis** — a weighted mean of four parts (``TechnicalWeights``), re-weighted
  over the parts that have data: *trend*, the EMAs' alignment: 100 when fast > mid > slow, 0
  when reversed, otherwise 75 or 25 by the close's side of the mid EMA (50 on it); *momentum*,
  ``50 + 50·tanh(5·MACD histogram / ATR)``; *rsi*, the RSI itself between 30 and 70, fading
  back toward 50 beyond (``140 − RSI`` above 70, ``60 − RSI`` below 30: overbought is not
  more bullish); *patterns*, ``50 + 50·s`` with ``s`` the :func:`~.patterns.pattern_score` of
  the chart patterns visible at the bar.
* **market_context** — for each market proxy (SPY and QQQ by default), at its last bar at or
  before this one: ``50 + 25·sign(EMA20 − EMA50) + 25·tanh(20-bar return / 5 %)``, averaged
  over the proxies with at least 50 bars by then.
* **sentiment** — tradewire has no news source yet: neutral and flagged at every bar.
* **volume** — ``50 + 50·flow``: the volume of the last 20 bars that closed up minus that of
  those that closed down, over their total volume (OBV's 20-bar change over volume traded).
  No volume traded in those bars: no data.
* **seasonality** — ``50 + 50·tanh(mean / 3 %)``, with mean the average return of the bar's
  calendar month in earlier years (completed months only). Fewer than 2 earlier years: no data.
* **multi_timeframe** — the EMA trends of the daily, 4-hour and 1-hour bars, each +1 (up), −1
  (down) or 0: ``50 + 50·mean``. Series finer than a timeframe are aggregated into it, the
  bucket in progress counting with its close so far. Fewer than two timeframes with enough
  bars for the slow EMA: no data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import talib

from tradewire.analysis.config import IndicatorSettings, TechnicalWeights
from tradewire.analysis.patterns import find_patterns, pattern_score

NEUTRAL = 50.0
CONTEXT_MIN_BARS = 50
FLOW_BARS = 20
RETURN_BARS = 20
NS_PER_S = 1_000_000_000


class Frame(NamedTuple):
    """One timeframe's bars as float64 columns, oldest first; ``ts`` in epoch ns (int64)."""

    ts: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def tail(self, bars: int) -> Frame:
        return Frame(*(column[-bars:] for column in self))


@dataclass(frozen=True, slots=True)
class Component:
    """A component's score (0–100) at one bar, whether it had data, and how, in words."""

    score: float
    has_data: bool
    detail: str


@dataclass(frozen=True, slots=True)
class IndicatorColumns:
    """TA-Lib's indicators over a whole series (NaN through each warm-up)."""

    ema_fast: np.ndarray
    ema_mid: np.ndarray
    ema_slow: np.ndarray
    rsi: np.ndarray
    macd_histogram: np.ndarray
    atr: np.ndarray

    @classmethod
    def of(cls, frame: Frame, periods: IndicatorSettings) -> IndicatorColumns:
        close = frame.close
        _, _, hist = talib.MACD(
            close,
            fastperiod=periods.macd_fast,
            slowperiod=periods.macd_slow,
            signalperiod=periods.macd_signal,
        )
        return cls(
            ema_fast=talib.EMA(close, timeperiod=periods.ema_fast),
            ema_mid=talib.EMA(close, timeperiod=periods.ema_mid),
            ema_slow=talib.EMA(close, timeperiod=periods.ema_slow),
            rsi=talib.RSI(close, timeperiod=periods.rsi),
            macd_histogram=hist,
            atr=talib.ATR(frame.high, frame.low, close, timeperiod=periods.atr),
        )


def technical(
    frame: Frame,
    ind: IndicatorColumns,
    weights: TechnicalWeights,
    *,
    start: int,
    pattern_lookback: int = 120,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return the technical score per bar (NaN: no data) and its parts, patterns scored from
    bar ``start`` on (each from the bars up to it)."""
    close = frame.close
    up = (ind.ema_fast > ind.ema_mid) & (ind.ema_mid > ind.ema_slow)
    down = (ind.ema_fast < ind.ema_mid) & (ind.ema_mid < ind.ema_slow)
    side = np.where(close > ind.ema_mid, 75.0, np.where(close < ind.ema_mid, 25.0, NEUTRAL))
    trend = np.where(up, 100.0, np.where(down, 0.0, side))
    trend[np.isnan(ind.ema_fast) | np.isnan(ind.ema_mid)] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        momentum = NEUTRAL + 50 * np.tanh(5 * ind.macd_histogram / ind.atr)
    momentum[~(ind.atr > 0)] = np.nan
    rsi = np.where(ind.rsi > 70, 140 - ind.rsi, np.where(ind.rsi < 30, 60 - ind.rsi, ind.rsi))
    patterns = np.full(len(close), np.nan)
    for i in range(start, len(close)):
        if ind.atr[i] > 0:
            lo = max(0, i + 1 - pattern_lookback)
            found = find_patterns(frame.high[lo : i + 1], frame.low[lo : i + 1], close[lo : i + 1])
            patterns[i] = NEUTRAL + 50 * pattern_score(found)
    parts = {"trend": trend, "momentum": momentum, "rsi": rsi, "patterns": patterns}
    return _weighted(parts, weights.model_dump()), parts


def market_context(ts: np.ndarray, proxies: Mapping[str, Frame]) -> np.ndarray:
    """Return the market-context score per bar of ``ts`` (NaN: no proxy with enough bars)."""
    total = np.zeros(len(ts))
    count = np.zeros(len(ts))
    for proxy in proxies.values():
        close = proxy.close
        if len(close) < CONTEXT_MIN_BARS:
            continue
        fast = talib.EMA(close, timeperiod=20)
        slow = talib.EMA(close, timeperiod=50)
        change = np.full(len(close), 0.0)
        change[RETURN_BARS:] = close[RETURN_BARS:] / close[:-RETURN_BARS] - 1
        score = NEUTRAL + 25 * np.sign(fast - slow) + 25 * np.tanh(change / 0.05)
        at = np.searchsorted(proxy.ts, ts, side="right") - 1  # its last bar at or before
        usable = at >= CONTEXT_MIN_BARS - 1
        total[usable] += score[at[usable]]
        count[usable] += 1
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def volume_flow(frame: Frame) -> np.ndarray:
    """Return the up-minus-down volume share of the last 20 bars, per bar (NaN: none)."""
    n = len(frame.close)
    flow = np.full(n, np.nan)
    if n < 2:
        return flow
    signed = np.zeros(n)
    signed[1:] = np.sign(np.diff(frame.close)) * frame.volume[1:]
    traded = np.zeros(n)
    traded[1:] = frame.volume[1:]
    signed_sum = _rolling_sum(signed, FLOW_BARS)
    traded_sum = _rolling_sum(traded, FLOW_BARS)
    has = traded_sum > 0
    flow[has] = signed_sum[has] / traded_sum[has]
    return flow


def volume(frame: Frame) -> np.ndarray:
    return NEUTRAL + 50 * volume_flow(frame)


def month_returns(frame: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each bar's month (months since 1970), and the completed months with their
    return (last close of the month over the last close of the month before)."""
    months = frame.ts.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    ends = np.flatnonzero(months[1:] != months[:-1])
    returns = frame.close[ends[1:]] / frame.close[ends[:-1]] - 1
    return months, months[ends[1:]], returns


def seasonality(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    """Return the seasonality score per bar (NaN: fewer than 2 earlier years) and the mean
    return it came from."""
    n = len(frame.close)
    mean = np.full(n, np.nan)
    if n < 2:
        return mean, mean
    months, completed, returns = month_returns(frame)
    # Running sums per calendar month over the completed months, then each bar reads its own
    # calendar month's sums from the months before its own.
    sums, counts = np.zeros(12), np.zeros(12)
    before_sum, before_count = {}, {}
    k = 0
    for month in np.unique(months):
        while k < len(completed) and completed[k] < month:
            sums[completed[k] % 12] += returns[k]
            counts[completed[k] % 12] += 1
            k += 1
        before_sum[month], before_count[month] = sums[month % 12], counts[month % 12]
    total = np.array([before_sum[m] for m in months])
    count = np.array([before_count[m] for m in months])
    enough = count >= 2
    mean[enough] = total[enough] / count[enough]
    return NEUTRAL + 50 * np.tanh(mean / 0.03), mean


def trend_votes(frame: Frame, seconds: int, periods: IndicatorSettings) -> np.ndarray:
    """Return the EMA trend (+1 up, −1 down, 0 sideways, NaN too short) of ``frame`` taken in
    ``seconds``-long buckets, per bar of ``frame``, the bucket in progress at its close so far.

    TA-Lib's EMA is a recursion, ``e = e₋₁ + α(x − e₋₁)``; the value with the bucket in
    progress is one step of it from the completed buckets' EMA, exactly what running the EMA
    over the buckets so far would give.
    """
    bucket = frame.ts // (seconds * NS_PER_S)
    changes = bucket[1:] != bucket[:-1]
    last = np.append(changes, True)  # the last bar of each bucket
    closes = frame.close[last]
    index = np.zeros(len(bucket), dtype=np.int64)
    np.cumsum(changes, out=index[1:])
    emas = []
    for period in (periods.ema_fast, periods.ema_mid, periods.ema_slow):
        completed = talib.EMA(closes, timeperiod=period)
        alpha = 2 / (period + 1)
        previous = np.insert(completed, 0, np.nan)[index]  # the EMA of the buckets before
        partial = previous + alpha * (frame.close - previous)
        # Where the bucket in progress is the EMA's very first value, TA-Lib seeds it with the
        # mean of the first `period` closes; one bucket short of that there is none yet.
        first = period - 1
        seeding = index == first
        if seeding.any():
            seed_sum = closes[:first].sum() if first else 0.0
            partial[seeding] = (seed_sum + frame.close[seeding]) / period
        partial[index < first] = np.nan
        emas.append(partial)
    fast, mid, slow = emas
    votes = np.where(
        (fast > mid) & (mid > slow), 1.0, np.where((fast < mid) & (mid < slow), -1.0, 0.0)
    )
    votes[np.isnan(slow)] = np.nan
    return votes


def last_vote(frame: Frame, periods: IndicatorSettings) -> float:
    """Return the EMA trend vote (+1, −1, 0; NaN too short) at the last bar of ``frame``, a
    series already in its own timeframe."""
    close = frame.close
    if len(close) < periods.ema_slow:
        return np.nan
    fast, mid, slow = (
        float(talib.EMA(close, timeperiod=p)[-1])
        for p in (periods.ema_fast, periods.ema_mid, periods.ema_slow)
    )
    return 1.0 if fast > mid > slow else -1.0 if fast < mid < slow else 0.0


def _rolling_sum(values: np.ndarray, bars: int) -> np.ndarray:
    total = np.cumsum(values)
    total[bars:] = total[bars:] - total[:-bars]
    return total


def _weighted(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the parts per bar over those that are not NaN (NaN if none)."""
    number = np.zeros(len(next(iter(parts.values()))))
    weight = np.zeros_like(number)
    for name, values in parts.items():
        have = ~np.isnan(values)
        number[have] += weights[name] * values[have]
        weight[have] += weights[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, number / weight, np.nan)
