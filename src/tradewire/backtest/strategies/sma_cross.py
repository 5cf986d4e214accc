"""The reference strategy: a simple-moving-average crossover.

When the fast average of closes crosses above the slow one, hold a long; when it crosses
below, hold a short (or nothing, with ``long_only``). Each entry spends ``fraction`` of the
available equity. "Crosses above" means the fast average was below the slow one a bar ago and
is above it now (an equal pair is no cross), the rule of backtesting.py's ``crossover``, so
the two engines can be checked against each other trade for trade.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tradewire.backtest.bars import Bars
from tradewire.backtest.strategies.params import Params
from tradewire.backtest.strategy import EquityFraction, Hold, Intent, View

_UP = "fast SMA crossed above slow"
_DOWN = "fast SMA crossed below slow"


class SmaCross:
    """Trade the crossings of two simple moving averages of the close."""

    name = "sma-cross"

    def __init__(
        self, *, fast: int = 10, slow: int = 20, fraction: float = 1.0, long_only: bool = False
    ) -> None:
        if not 1 <= fast < slow:
            raise ValueError("the fast period must be at least 1 and shorter than the slow one")
        self.params = {"fast": fast, "slow": slow, "fraction": fraction, "long_only": long_only}
        self._fast = fast
        self._slow = slow
        self._size = EquityFraction(fraction=fraction)
        self._down = Hold.FLAT if long_only else Hold.SHORT

    @classmethod
    def from_params(cls, raw: Mapping[str, str]) -> SmaCross:
        """Build from ``--param key=value`` pairs (fast, slow, fraction, long_only)."""
        params = Params(raw, cls.name)
        strategy = params.build(
            cls,
            fast=params.integer("fast", 10),
            slow=params.integer("slow", 20),
            fraction=params.number("fraction", 1.0),
            long_only=params.flag("long_only", False),
        )
        return strategy

    def decide_all(self, bars: Bars, _others: Mapping[str, Bars]) -> list[Intent | None]:
        """Return :meth:`decide`'s answer after every bar at once: each from the windows
        ending at that bar only (the same sums over the same windows, so the same answers)."""
        close, fast, slow = bars.close, self._fast, self._slow
        decisions: list[Intent | None] = [None] * len(close)
        if len(close) <= slow:
            return decisions
        # Averages of the windows ending at bars slow-1 … n-1, aligned on those bars.
        fast_avg = sliding_window_view(close, fast).sum(axis=1)[slow - fast :] / fast
        slow_avg = sliding_window_view(close, slow).sum(axis=1) / slow
        above = (fast_avg[:-1] < slow_avg[:-1]) & (fast_avg[1:] > slow_avg[1:])
        below = (fast_avg[:-1] > slow_avg[:-1]) & (fast_avg[1:] < slow_avg[1:])
        up = Intent(hold=Hold.LONG, size=self._size, reason=_UP)
        down = Intent(hold=self._down, size=self._size, reason=_DOWN)
        for offset in np.flatnonzero(above):
            decisions[slow + int(offset)] = up
        for offset in np.flatnonzero(below):
            decisions[slow + int(offset)] = down
        return decisions

    def decide(self, view: View) -> Intent | None:
        close = view.bars.close
        if len(close) <= self._slow:
            return None
        # sum / n is numpy's mean without its overhead (the same pairwise sum, then a division).
        fast, slow = self._fast, self._slow
        fast_now, fast_then = close[-fast:].sum() / fast, close[-fast - 1 : -1].sum() / fast
        slow_now, slow_then = close[-slow:].sum() / slow, close[-slow - 1 : -1].sum() / slow
        if fast_then < slow_then and fast_now > slow_now:
            return Intent(hold=Hold.LONG, size=self._size, reason=_UP)
        if fast_then > slow_then and fast_now < slow_now:
            return Intent(hold=self._down, size=self._size, reason=_DOWN)
        return None
