"""Label what became of a trade idea: did price reach the target before the stop?

This is the "outcome" the decision engine's score is calibrated against. For each decision we
look only at the bars *after* it — ``start`` is the first bar the trade could live through, so a
decision made on the close of bar ``i`` starts at ``i + 1`` — and walk forward at most
``horizon`` bars:

* **win (1.0 / True)** — the target was touched first;
* **loss (0.0 / False)** — the stop was touched first;
* **unresolved (NaN / None)** — neither within the horizon, or the data ran out first.
  Unresolved trades are left out of calibration rather than guessed at.

How a bar is read, and why it is conservative:

* With only a bar's high and low we cannot tell which of the two prices came first inside it,
  so a bar that touches both the stop and the target counts as the **stop**. This understates
  the win rate a little on wide bars; it never flatters the score.
* A bar that opens beyond the stop (a gap through it, so the bar's range lies wholly past the
  stop and "straddles" nothing) still counts as the stop: the test is "the low is at or below
  the stop" for a long, not "the range contains the stop", and the stop order would have
  filled at the open.
* Touching means reaching the price: a long's target is touched by a high *at or above* it,
  its stop by a low *at or below* it; a short mirrors this. A bar with a missing (NaN) high or
  low touches nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

# Decisions labelled per block in the vectorised labeller; bounds the memory of the
# (decisions × horizon) windows whatever the number of decisions.
_BLOCK = 4096


def first_touch(
    high: ArrayLike,
    low: ArrayLike,
    *,
    start: int,
    stop: float,
    target: float,
    horizon: int,
    long: bool = True,
) -> bool | None:
    """Return whether ``target`` is touched before ``stop`` in bars ``start .. start+horizon-1``.

    Return True if the target is touched first, False if the stop is (or both in one bar),
    None if neither is touched within the horizon or before the data ends.
    """
    highs, lows = _columns(high, low)
    _check_levels(np.array([stop]), np.array([target]), long=long)
    _check_horizon(horizon)
    if start < 0:
        raise ValueError(f"start must be a bar index, 0 or more; got {start}")
    for i in range(start, min(start + horizon, len(highs))):
        if long:
            hit_stop, hit_target = lows[i] <= stop, highs[i] >= target
        else:
            hit_stop, hit_target = highs[i] >= stop, lows[i] <= target
        if hit_stop:
            return False
        if hit_target:
            return True
    return None


def label_first_touch(
    high: ArrayLike,
    low: ArrayLike,
    starts: ArrayLike,
    stops: ArrayLike,
    targets: ArrayLike,
    *,
    horizon: int,
    long: bool = True,
) -> np.ndarray:
    """Return :func:`first_touch` of every decision as floats: 1.0 win, 0.0 loss, NaN unresolved.

    ``starts``, ``stops`` and ``targets`` hold one entry per decision.
    """
    highs, lows = _columns(high, low)
    start_idx = np.asarray(starts)
    stop_px = np.asarray(stops, dtype=np.float64)
    target_px = np.asarray(targets, dtype=np.float64)
    if not (start_idx.shape == stop_px.shape == target_px.shape) or start_idx.ndim != 1:
        raise ValueError("starts, stops and targets must be 1-D and of one length")
    if start_idx.size and not np.issubdtype(start_idx.dtype, np.integer):
        raise ValueError("starts must be integer bar indices")
    if start_idx.size and int(start_idx.min()) < 0:
        raise ValueError("starts must be bar indices, 0 or more")
    _check_levels(stop_px, target_px, long=long)
    _check_horizon(horizon)

    # Pad with NaN (touches nothing) so every window is `horizon` long, even the last ones;
    # a start at or past the end gets the all-NaN window at index len(bars).
    pad = np.full(horizon, np.nan)
    high_windows = sliding_window_view(np.concatenate([highs, pad]), horizon)
    low_windows = sliding_window_view(np.concatenate([lows, pad]), horizon)
    rows = np.minimum(start_idx.astype(np.int64), len(highs))

    labels = np.empty(len(rows))
    for lo in range(0, len(rows), _BLOCK):
        block = slice(lo, lo + _BLOCK)
        hw, lw = high_windows[rows[block]], low_windows[rows[block]]
        stop_col, target_col = stop_px[block, None], target_px[block, None]
        if long:
            stop_hit, target_hit = lw <= stop_col, hw >= target_col
        else:
            stop_hit, target_hit = hw >= stop_col, lw <= target_col
        first_stop = _first_true(stop_hit, horizon)
        first_target = _first_true(target_hit, horizon)
        # Ties (one bar touching both) go to the stop: a win needs the target strictly first.
        labels[block] = np.where(
            first_target < first_stop, 1.0, np.where(first_stop < horizon, 0.0, np.nan)
        )
    return labels


def _first_true(hits: np.ndarray, horizon: int) -> np.ndarray:
    """Return the index of each row's first True, or ``horizon`` when there is none."""
    return np.where(hits.any(axis=1), hits.argmax(axis=1), horizon)


def _columns(high: ArrayLike, low: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    highs = np.asarray(high, dtype=np.float64)
    lows = np.asarray(low, dtype=np.float64)
    if highs.ndim != 1 or highs.shape != lows.shape:
        raise ValueError("high and low must be 1-D and of one length")
    return highs, lows


def _check_horizon(horizon: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a whole number of bars, 1 or more; got {horizon!r}")


def _check_levels(stops: np.ndarray, targets: np.ndarray, *, long: bool) -> None:
    if not (np.isfinite(stops).all() and np.isfinite(targets).all()):
        raise ValueError("stops and targets must be finite prices")
    wrong = ~(stops < targets) if long else ~(stops > targets)
    if wrong.any():
        i = int(np.argmax(wrong))
        side, relation = ("long", "below") if long else ("short", "above")
        raise ValueError(
            f"a {side} trade's stop must be {relation} its target; decision {i} has "
            f"stop {float(stops[i])} and target {float(targets[i])}"
        )
