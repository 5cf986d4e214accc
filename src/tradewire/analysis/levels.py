"""Support and resistance: swing highs and lows clustered into price levels with touch counts.

A swing high is a bar whose high is the highest of the ``window`` bars on each side (a swing
low the mirror). Swing prices within ``tolerance_pct`` of a cluster's running mean join that
cluster; each cluster becomes a level at its mean price, touched once per swing point in it.
Levels below the last close are support (nearest first), above it resistance (nearest first).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tradewire.core.events import CandleSeries, Level

MAX_LEVELS = 5


def swing_points(high: Sequence[float], low: Sequence[float], window: int) -> list[float]:
    """Return the prices of swing highs and swing lows, in bar order."""
    h = np.asarray(high, dtype=np.float64)
    lo = np.asarray(low, dtype=np.float64)
    if len(h) < 2 * window + 1:
        return []
    highs = sliding_window_view(h, 2 * window + 1)
    lows = sliding_window_view(lo, 2 * window + 1)
    centre = slice(window, len(h) - window)
    # Strict on the left, loose on the right: a flat top counts once, at its first bar.
    is_high = (highs.max(axis=1) == h[centre]) & (highs[:, :window].max(axis=1) < h[centre])
    is_low = (lows.min(axis=1) == lo[centre]) & (lows[:, :window].min(axis=1) > lo[centre])
    points = np.column_stack(
        (np.where(is_high, h[centre], np.nan), np.where(is_low, lo[centre], np.nan))
    )
    flat = points.ravel()
    return flat[~np.isnan(flat)].tolist()


def cluster(prices: Sequence[float], tolerance_pct: float) -> list[Level]:
    """Group ``prices`` into levels, lowest first."""
    levels: list[list[float]] = []
    for price in sorted(prices):
        if levels:
            members = levels[-1]
            mean = sum(members) / len(members)
            if abs(price - mean) <= mean * tolerance_pct / 100:
                members.append(price)
                continue
        levels.append([price])
    return [Level(price=sum(m) / len(m), touches=len(m)) for m in levels]


def find_levels(
    series: CandleSeries, *, window: int, tolerance_pct: float, limit: int = MAX_LEVELS
) -> tuple[tuple[Level, ...], tuple[Level, ...]]:
    """Return ``(support, resistance)`` of ``series`` relative to its last close."""
    if not len(series):
        return (), ()
    return levels_around(
        series.high,
        series.low,
        series.close[-1],
        window=window,
        tolerance_pct=tolerance_pct,
        limit=limit,
    )


def levels_around(
    high: Sequence[float],
    low: Sequence[float],
    price: float,
    *,
    window: int,
    tolerance_pct: float,
    limit: int = MAX_LEVELS,
) -> tuple[tuple[Level, ...], tuple[Level, ...]]:
    """Return ``(support, resistance)`` of the bars relative to ``price``, nearest first."""
    if len(high) < 2 * window + 1:
        return (), ()
    levels = cluster(swing_points(high, low, window), tolerance_pct)
    support = sorted((lv for lv in levels if lv.price < price), key=lambda lv: -lv.price)
    resistance = sorted((lv for lv in levels if lv.price >= price), key=lambda lv: lv.price)
    return tuple(support[:limit]), tuple(resistance[:limit])
