"""Technical indicators of a candle series, computed with TA-Lib.

RSI, MACD (line, signal, histogram), OBV, three EMAs, ATR and the EMA trend. Each value is the
latest bar's, at full precision (a low-priced pair's MACD histogram can be 1e-7: rounding is for
display only); None where the series is too short for the period (TA-Lib's warm-up NaNs).
"""

from __future__ import annotations

import math

import numpy as np
import talib

from tradewire.analysis.config import IndicatorSettings
from tradewire.core.events import CandleSeries, Indicators, Trend


def classify_trend(fast: float | None, mid: float | None, slow: float | None) -> Trend:
    """Return UP when fast > mid > slow, DOWN when fast < mid < slow, else SIDEWAYS."""
    if fast is None or mid is None or slow is None:
        return Trend.SIDEWAYS
    if fast > mid > slow:
        return Trend.UP
    if fast < mid < slow:
        return Trend.DOWN
    return Trend.SIDEWAYS


def compute_indicators(series: CandleSeries, periods: IndicatorSettings) -> Indicators:
    """Return the latest indicator values of ``series``."""
    return indicators_of(
        np.asarray(series.high, dtype=np.float64),
        np.asarray(series.low, dtype=np.float64),
        np.asarray(series.close, dtype=np.float64),
        np.asarray(series.volume, dtype=np.float64),
        periods,
    )


def indicators_of(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    periods: IndicatorSettings,
) -> Indicators:
    """Return the latest indicator values of float64 columns, oldest first."""
    ema_periods = (periods.ema_fast, periods.ema_mid, periods.ema_slow)
    if not len(close):
        return Indicators(ema_periods=ema_periods)
    macd, signal, hist = talib.MACD(
        close,
        fastperiod=periods.macd_fast,
        slowperiod=periods.macd_slow,
        signalperiod=periods.macd_signal,
    )
    fast = _last(talib.EMA(close, timeperiod=periods.ema_fast))
    mid = _last(talib.EMA(close, timeperiod=periods.ema_mid))
    slow = _last(talib.EMA(close, timeperiod=periods.ema_slow))
    return Indicators(
        rsi=_last(talib.RSI(close, timeperiod=periods.rsi)),
        macd=_last(macd),
        macd_signal=_last(signal),
        macd_histogram=_last(hist),
        obv=_last(talib.OBV(close, volume)),
        ema_fast=fast,
        ema_mid=mid,
        ema_slow=slow,
        atr=_last(talib.ATR(high, low, close, timeperiod=periods.atr)),
        trend=classify_trend(fast, mid, slow),
        ema_periods=ema_periods,
    )


def _last(values: np.ndarray) -> float | None:
    if not len(values):
        return None
    value = float(values[-1])
    return None if math.isnan(value) else value
