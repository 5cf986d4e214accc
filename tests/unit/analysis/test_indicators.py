"""Indicators agree with independent reference implementations and hand-checked cases."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from tradewire.analysis.config import IndicatorSettings
from tradewire.analysis.indicators import classify_trend, compute_indicators
from tradewire.core.events import CandleSeries, DataSource, Timeframe, Trend

PERIODS = IndicatorSettings()


def series(close, high=None, low=None, volume=None) -> CandleSeries:
    n = len(close)
    return CandleSeries(
        ticker="TEST", timeframe=Timeframe.DAY, data_source=DataSource.REPLAY,
        ts=tuple(range(0, n * 86_400, 86_400)), open=tuple(close),
        high=tuple(high or [c + 1 for c in close]), low=tuple(low or [c - 1 for c in close]),
        close=tuple(close), volume=tuple(volume or [1000.0] * n), ts_event=0, ts_init=0,
    )  # fmt: skip


# Reference implementations written from the definitions (Wilder 1978; Granville 1963).


def ref_ema(values: list[float], period: int) -> float:
    k = 2 / (period + 1)
    ema = sum(values[:period]) / period  # seeded with the simple average, as TA-Lib does
    for v in values[period:]:
        ema = v * k + ema * (1 - k)
    return ema


def ref_rsi(close: list[float], period: int) -> float:
    deltas = [b - a for a, b in itertools.pairwise(close)]
    gain = sum(max(d, 0) for d in deltas[:period]) / period
    loss = sum(max(-d, 0) for d in deltas[:period]) / period
    for d in deltas[period:]:
        gain = (gain * (period - 1) + max(d, 0)) / period
        loss = (loss * (period - 1) + max(-d, 0)) / period
    return 100.0 if loss == 0 else 100 - 100 / (1 + gain / loss)


def ref_obv(close: list[float], volume: list[float]) -> float:
    obv = volume[0]  # TA-Lib starts the running total at the first bar's volume
    for prev, cur, vol in zip(close, close[1:], volume[1:], strict=False):
        obv += vol if cur > prev else -vol if cur < prev else 0
    return obv


def ref_atr(high, low, close, period: int) -> float:
    trs = [
        max(h - lo, abs(h - pc), abs(lo - pc))
        for h, lo, pc in zip(high[1:], low[1:], close, strict=False)
    ]
    atr = sum(trs[:period]) / period
    for tr in trs[period:]:
        atr = (atr * (period - 1) + tr) / period
    return atr


@pytest.fixture
def walk():
    rng = random.Random(42)
    close, high, low, volume = [], [], [], []
    price = 100.0
    for _ in range(400):
        price *= math.exp(rng.gauss(0.0003, 0.015))
        close.append(round(price, 4))
        high.append(round(price * (1 + abs(rng.gauss(0, 0.006))), 4))
        low.append(round(price * (1 - abs(rng.gauss(0, 0.006))), 4))
        volume.append(float(rng.randint(10_000, 90_000)))
    return close, high, low, volume


def test_matches_reference_implementations(walk) -> None:
    close, high, low, volume = walk
    ind = compute_indicators(series(close, high, low, volume), PERIODS)
    assert ind.rsi == pytest.approx(ref_rsi(close, 14), abs=1e-4)
    assert ind.ema_fast == pytest.approx(ref_ema(close, 20), abs=1e-4)
    assert ind.ema_mid == pytest.approx(ref_ema(close, 50), abs=1e-4)
    assert ind.ema_slow == pytest.approx(ref_ema(close, 200), abs=1e-4)
    assert ind.obv == pytest.approx(ref_obv(close, volume))
    assert ind.atr == pytest.approx(ref_atr(high, low, close, 14), abs=1e-4)
    # MACD line is EMA12 - EMA26 of the close; the histogram is line minus signal.
    assert ind.macd == pytest.approx(ref_ema(close, 12) - ref_ema(close, 26), abs=1e-3)
    assert ind.macd_histogram == pytest.approx(ind.macd - ind.macd_signal, abs=1e-5)
    assert ind.ema_periods == (20, 50, 200)


def test_wilder_worked_example() -> None:
    # The classic 14-period worked example: first RSI from the first 15 closes.
    close = [44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89,
             46.03, 45.61, 46.28, 46.28]  # fmt: skip
    ind = compute_indicators(series(close), PERIODS)
    # Gains sum to 3.34 and losses to 1.40 over the 14 changes: RS = 3.34 / 1.40.
    assert ind.rsi == pytest.approx(100 - 100 / (1 + 3.34 / 1.40), abs=1e-4)
    assert ind.rsi == pytest.approx(70.464, abs=1e-3)


def test_strictly_rising_series_has_rsi_100_and_an_up_trend() -> None:
    close = [100 + i for i in range(260)]
    ind = compute_indicators(series(close), PERIODS)
    assert ind.rsi == 100.0
    assert ind.trend is Trend.UP and ind.ema_fast > ind.ema_mid > ind.ema_slow
    assert ind.obv == 1000.0 * 260
    assert ind.macd > 0


def test_strictly_falling_series_has_rsi_0_and_a_down_trend() -> None:
    close = [400 - i for i in range(260)]
    ind = compute_indicators(series(close), PERIODS)
    assert ind.rsi == 0.0 and ind.trend is Trend.DOWN


def test_constant_range_gives_that_atr() -> None:
    close = [50.0] * 60
    ind = compute_indicators(series(close, [51.0] * 60, [49.0] * 60), PERIODS)
    assert ind.atr == pytest.approx(2.0)
    assert ind.trend is Trend.SIDEWAYS  # EMAs are equal


def test_short_series_leaves_slow_indicators_empty() -> None:
    ind = compute_indicators(series([100 + i for i in range(30)]), PERIODS)
    assert ind.rsi == 100.0 and ind.ema_fast is not None
    assert ind.ema_mid is None and ind.ema_slow is None and ind.macd is None
    assert ind.trend is Trend.SIDEWAYS
    assert compute_indicators(series([]), PERIODS).rsi is None


@pytest.mark.parametrize(
    ("fast", "mid", "slow", "trend"),
    [(3, 2, 1, Trend.UP), (1, 2, 3, Trend.DOWN), (2, 3, 1, Trend.SIDEWAYS),
     (3, 1, 2, Trend.SIDEWAYS), (2, 2, 1, Trend.SIDEWAYS), (None, 2, 1, Trend.SIDEWAYS)],
)  # fmt: skip
def test_trend_classification(fast, mid, slow, trend) -> None:
    assert classify_trend(fast, mid, slow) is trend


def test_periods_are_configurable() -> None:
    close = [100 + math.sin(i / 3) * 5 for i in range(120)]
    short = IndicatorSettings(rsi=5, ema_fast=5, ema_mid=10, ema_slow=20)
    ind = compute_indicators(series(close), short)
    assert ind.rsi == pytest.approx(ref_rsi(close, 5), abs=1e-4)
    assert ind.ema_slow == pytest.approx(ref_ema(close, 20), abs=1e-4)
    assert ind.ema_periods == (5, 10, 20)


def test_a_low_priced_pair_keeps_its_tiny_values_at_full_precision():
    # A pair quoted near 0.00001 moves by about 1e-8 a bar: its MACD histogram is far below the
    # sixth decimal, and rounding there would read zero.
    rng = random.Random(7)
    close = [0.00001]
    for _ in range(299):
        close.append(close[-1] * (1 + rng.gauss(0, 0.01)))
    bars = series(close, [c * 1.01 for c in close], [c * 0.99 for c in close])
    got = compute_indicators(bars, PERIODS)
    reference = ref_ema(close, PERIODS.ema_fast)
    assert got.macd_histogram is not None and 0 < abs(got.macd_histogram) < 1e-6
    assert got.macd is not None and got.macd != 0
    assert got.ema_fast == pytest.approx(reference, rel=1e-9) and got.ema_fast < 1e-4
    assert got.atr is not None and 0 < got.atr < 1e-6
