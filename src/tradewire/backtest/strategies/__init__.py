"""Strategies that ship with tradewire, by the name ``--strategy`` takes."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tradewire.backtest.strategies.sma_cross import SmaCross
from tradewire.backtest.strategy import Strategy

STRATEGIES: dict[str, Callable[[Mapping[str, str]], Strategy]] = {
    SmaCross.name: SmaCross.from_params,
}
