"""Support and resistance: swing highs and lows clustered into price levels with touch counts.

A swing high is a bar whose high is the highest of the ``window`` bars on each side (a swing
low the mirror). Swing prices within ``tolerance_pct`` of a cluster's running mean join that
cluster; each cluster becomes a level at its mean price, touched once per swing point in it.
Levels below the last close are support (nearest first), above it resistance (nearest first).
"""

from __future__ import annotations

from collections.abc import Sequence

from tradewire.core.events import CandleSeries, Level

MAX_LEVELS = 5


def swing_points(high: Sequence[float], low: Sequence[float], window: int) -> list[float]:
    """Return the prices of swing highs and swing lows, in bar order."""
    points: list[float] = []
    for i in range(window, len(high) - window):
        highs = high[i - window : i + window + 1]
        lows = low[i - window : i + window + 1]
        # Strict on the left, loose on the right: a flat top counts once, at its first bar.
        if high[i] == max(highs) and all(h < high[i] for h in high[i - window : i]):
            points.append(high[i])
        if low[i] == min(lows) and all(x > low[i] for x in low[i - window : i]):
            points.append(low[i])
    return points


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
    if len(series) < 2 * window + 1:
        return (), ()
    levels = cluster(swing_points(series.high, series.low, window), tolerance_pct)
    last = series.close[-1]
    support = sorted((lv for lv in levels if lv.price < last), key=lambda lv: -lv.price)
    resistance = sorted((lv for lv in levels if lv.price >= last), key=lambda lv: lv.price)
    return tuple(support[:limit]), tuple(resistance[:limit])
