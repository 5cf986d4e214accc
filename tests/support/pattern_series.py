"""Synthetic OHLC series for the chart-pattern tests and bench, deterministic per seed.

``pattern_series(kind, seed)`` draws one pattern: a random-walk history, a lead-in move, the
pattern's swings (piecewise-linear) and its breakout, with noise on every close, wicks on every
bar, a random price level from ~1 to ~50,000 and random sizes and leg lengths. The series ends
0–3 bars after the bar at which the breakout's path crosses the pattern's line (``completes``).
``plain_series(name, seed)`` draws a series without any of the patterns: a random walk with
drift, a noisy straight trend, a flat price, or a sine wave.

Shapes are drawn in units ``u`` of the per-bar close noise (0.3–0.5 % of the price level), so the
median bar range is about 2u whatever the price level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradewire.analysis.patterns import PatternKind

PLAIN_KINDS = ("random_walk", "trend", "flat", "sine")
MIRRORS = {
    PatternKind.DOUBLE_BOTTOM: PatternKind.DOUBLE_TOP,
    PatternKind.INVERSE_HEAD_AND_SHOULDERS: PatternKind.HEAD_AND_SHOULDERS,
    PatternKind.BEAR_FLAG: PatternKind.BULL_FLAG,
}


@dataclass(frozen=True, slots=True)
class Series:
    """An OHLC series (``open`` is the previous close) and the pattern drawn into it, if any."""

    name: str
    seed: int
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    kind: PatternKind | None = None
    bias: int = 0
    completes: int | None = None  # the bar at which the breakout's path crosses the line


def pattern_series(kind: PatternKind, seed: int) -> Series:
    """Return a series whose last bars complete one ``kind`` pattern."""
    rng = np.random.default_rng([seed, list(PatternKind).index(kind)])
    drawn = MIRRORS.get(kind, kind)
    if drawn is PatternKind.DOUBLE_TOP:
        legs, line = _double_top(rng)
        bias = -1
    elif drawn is PatternKind.HEAD_AND_SHOULDERS:
        legs, line = _head_and_shoulders(rng)
        bias = -1
    elif drawn is PatternKind.BULL_FLAG:
        legs, line = _bull_flag(rng)
        bias = 1
    else:
        up = bool(rng.random() < 0.5)
        legs, line, bias = _triangle(rng, drawn, up)
    sign = -1 if kind in MIRRORS else 1
    prefix = int(rng.integers(60, 160))
    walk = np.cumsum(rng.normal(0, 1, prefix))
    path = _path(legs)
    shape = np.concatenate((walk - walk[-1], path))
    crossing = prefix + _crossing(path, legs[-1][0], line)
    end = crossing + int(rng.integers(0, 4)) + 1
    high, low, close = _bars(rng, sign * shape[:end])
    return Series(kind.value, seed, high, low, close, kind, sign * bias, crossing)


def plain_series(name: str, seed: int, bars: int = 300) -> Series:
    """Return a series of ``bars`` bars, of one of ``PLAIN_KINDS``, without any pattern."""
    rng = np.random.default_rng([seed, PLAIN_KINDS.index(name), 99])
    level = float(np.exp(rng.uniform(0, np.log(50_000))))
    t = np.arange(bars)
    if name == "random_walk":
        sigma = rng.uniform(0.005, 0.02)
        close = level * np.exp(np.cumsum(rng.normal(rng.uniform(-1, 1) * 0.001, sigma, bars)))
        return Series(name, seed, *_ohlc(rng, close, level * sigma * 0.5))
    if name == "flat":
        price = np.full(bars, level)
        return Series(name, seed, price.copy(), price.copy(), price)
    unit = level * rng.uniform(0.003, 0.005)
    if name == "trend":
        slope = rng.choice((-1, 1)) * rng.uniform(0.2, 1.5)
        return Series(name, seed, *_bars(rng, slope * t, level, unit))
    period, amplitude = rng.uniform(16, 60), rng.uniform(5, 20)
    wave = amplitude * np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
    return Series(name, seed, *_bars(rng, wave + rng.uniform(-0.2, 0.2) * t, level, unit))


def _double_top(rng: np.random.Generator) -> tuple[list[tuple[int, float]], float]:
    depth = rng.uniform(10, 16)
    rise = depth * rng.uniform(1.7, 2.2)  # the prior rise the rule asks for
    neck = rise - depth
    legs = [
        (_bars_in(rng, 8, 14), rise),
        (_bars_in(rng, 8, 16), neck),
        (_bars_in(rng, 8, 16), rise + rng.uniform(-1, 1)),
        (_bars_in(rng, 6, 10), neck - 8),
    ]
    return legs, neck - 1.5


def _head_and_shoulders(rng: np.random.Generator) -> tuple[list[tuple[int, float]], float]:
    depth, head = rng.uniform(10, 14), rng.uniform(9, 13)
    rise = depth + (depth + head) * rng.uniform(0.75, 1.0)
    neck, tilt = rise - depth, rng.uniform(-2, 2)
    legs = [
        (_bars_in(rng, 8, 12), rise),
        (_bars_in(rng, 6, 12), neck),
        (_bars_in(rng, 7, 14), rise + head),
        (_bars_in(rng, 7, 14), neck + tilt),
        (_bars_in(rng, 6, 12), rise + rng.uniform(-1, 1)),
        (_bars_in(rng, 6, 10), neck + tilt - 10),
    ]
    # The neckline at the crossing lies within |tilt| / 2 of the second low.
    return legs, neck + tilt - abs(tilt) / 2 - 1.5


def _bull_flag(rng: np.random.Generator) -> tuple[list[tuple[int, float]], float]:
    pole_bars = _bars_in(rng, 4, 7)
    pole = pole_bars * rng.uniform(3.5, 5)
    flag_bars, drop = _bars_in(rng, 6, 12), pole * rng.uniform(0.15, 0.3)
    legs = [
        (_bars_in(rng, 5, 10), 0.0),
        (pole_bars, pole),
        (flag_bars, pole - drop),
        (3, pole - drop + pole * 0.4),
    ]
    # The flag's highs run about 2u above its path, which ends at the flag's low.
    return legs, pole - drop + 3


def _triangle(
    rng: np.random.Generator, kind: PatternKind, up: bool
) -> tuple[list[tuple[int, float]], float, int]:
    height = rng.uniform(14, 20)
    gaps = [_bars_in(rng, 6, 11) for _ in range(5)]
    touches = np.cumsum([0, *gaps])
    shrink = 1 - touches / (touches[-1] * rng.uniform(1.6, 2.0))  # the height left, as a fraction
    if kind is PatternKind.ASCENDING_TRIANGLE:
        top, bottom, up = np.zeros(6), -height * shrink, True
    elif kind is PatternKind.DESCENDING_TRIANGLE:
        top, bottom, up = height * shrink - height, np.full(6, -height), False
    else:
        top, bottom = height * shrink / 2, -height * shrink / 2
    # Touches alternate so that the last one is on the side away from the breakout.
    levels = [float(top[i] if i % 2 == (0 if up else 1) else bottom[i]) for i in range(6)]
    line = top[-1] + 1 if up else bottom[-1] - 1
    breakout = top[-1] + 8 if up else bottom[-1] - 8
    # The lead-in comes from beyond the first touch's far side and starts the path at 0.
    start = bottom[0] - 0.3 * height if up else top[0] + 0.3 * height
    legs = [(_bars_in(rng, 10, 16), levels[0])]
    legs += [(gaps[i - 1], levels[i]) for i in range(1, 6)]
    legs.append((_bars_in(rng, 4, 6), float(breakout)))
    shifted = [(bars, level - start) for bars, level in legs]
    return shifted, float(line - start), 1 if up else -1


def _bars_in(rng: np.random.Generator, low: int, high: int) -> int:
    return int(rng.integers(low, high + 1))


def _path(legs: list[tuple[int, float]]) -> np.ndarray:
    """Return the piecewise-linear path from 0 through each leg's end level."""
    points, level = [], 0.0
    for bars, target in legs:
        points.append(np.linspace(level, target, bars + 1)[1:])
        level = target
    return np.concatenate(points)


def _crossing(path: np.ndarray, breakout_bars: int, line: float) -> int:
    """Return the first bar of the breakout leg (the last ``breakout_bars``) beyond ``line``."""
    first = len(path) - breakout_bars
    leg = path[first:]
    beyond = leg < line if path[-1] < line else leg > line
    return first + int(np.flatnonzero(beyond)[0])


def _bars(
    rng: np.random.Generator, shape: np.ndarray, level: float | None = None, unit: float = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return high, low and close of ``shape`` (in units) with noise, at a random price level."""
    if level is None:
        level = float(np.exp(rng.uniform(0, np.log(50_000))))
        unit = level * rng.uniform(0.003, 0.005)
    close = level + unit * (shape + rng.normal(0, 1, len(shape)))
    return _ohlc(rng, close, unit * 0.5)


def _ohlc(
    rng: np.random.Generator, close: np.ndarray, wick: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    opens = np.concatenate(([close[0]], close[:-1]))
    high = np.maximum(opens, close) + np.abs(rng.normal(0, wick, len(close)))
    low = np.minimum(opens, close) - np.abs(rng.normal(0, wick, len(close)))
    return high, low, close
