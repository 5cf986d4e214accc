"""The geometry chart patterns are built from: swing points, the zigzag that joins them, and
least-squares lines (see :mod:`.patterns` for the rules they serve)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def swings(h: np.ndarray, lo: np.ndarray, w: int) -> np.ndarray:
    """Return a (2, n - 2w) mask of the swing highs (row 0) and lows (row 1) of bars w..n-w-1."""
    x = np.array((h, -lo))
    n = x.shape[1]
    # peak[:, j] is the highest of bars j..j+w-1: the w bars left of bar j+w, or right of j-1.
    peak = x[:, : n - w + 1]
    for k in range(1, w):
        peak = np.maximum(peak, x[:, k : n - w + 1 + k])
    core = x[:, w : n - w]
    # Strict on the left, loose on the right: a flat top counts once, at its first bar.
    return (core > peak[:, : n - 2 * w]) & (core >= peak[:, w + 1 :])


def zigzag(
    hi: list[float], lo: list[float], swings: np.ndarray, w: int, min_swing: float
) -> list[tuple[int, float, int]]:
    # Bar b's high is event 2b, its low 2b + 1: one sort puts them in bar order, highs first.
    events = np.concatenate((swings[0].nonzero()[0] * 2, swings[1].nonzero()[0] * 2 + 1))
    events.sort()
    points: list[tuple[int, float, int]] = []
    previous, previous_kind = 0.0, 0
    for event in (events + 2 * w).tolist():
        i = event >> 1
        if event & 1:
            k, price = -1, lo[i]
        else:
            k, price = 1, hi[i]
        if k == previous_kind:
            if (price - previous) * k > 0:
                points[-1] = (i, price, k)
                previous = price
            continue
        if previous_kind and abs(price - previous) < min_swing:
            continue
        points.append((i, price, k))
        previous, previous_kind = price, k
    return points


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Return the least-squares line (slope, intercept) through the points."""
    n = len(xs)
    sx = sy = sxx = sxy = 0.0
    for x, y in zip(xs, ys, strict=True):
        sx += x
        sy += y
        sxx += x * x
        sxy += x * y
    spread = n * sxx - sx * sx
    if spread <= 0:
        return 0.0, sy / n
    slope = (n * sxy - sx * sy) / spread
    return slope, (sy - slope * sx) / n


def ceiling(xs: list[int], ys: list[float], at: int) -> float:
    """Return at bar ``at`` the least-squares line's parallel through the highest of the points:
    the top of their channel (a line through the middle would be broken by the noise).
    """
    slope, _ = fit(xs, ys)
    return slope * at + max(y - slope * x for x, y in zip(xs, ys, strict=True))


def latest_highs(points: list[tuple[int, float, int]]) -> list[int]:
    """Return the positions of the last two highs of a zigzag, latest first."""
    last = len(points) - 1
    if last < 0:
        return []
    latest = last if points[last][2] > 0 else last - 1
    return [k for k in (latest, latest - 2) if k >= 0]


def rose_from(lows: Sequence[float], bar: int, span: int, below: float) -> bool:
    """Tell whether the price came up from ``below`` within ``span`` bars before ``bar``."""
    before = lows[max(0, bar - span) : bar]
    return bool(before) and min(before) <= below
