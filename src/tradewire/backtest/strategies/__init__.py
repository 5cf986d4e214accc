"""Strategies that ship with tradewire, by the name ``--strategy`` takes."""

from __future__ import annotations

from collections.abc import Mapping

from tradewire.analysis.analyzer import DecisionEngine
from tradewire.backtest.strategies.decision_engine import DecisionEngineStrategy
from tradewire.backtest.strategies.sma_cross import SmaCross
from tradewire.backtest.strategy import Strategy
from tradewire.core.errors import ValidationError

STRATEGY_NAMES = (DecisionEngineStrategy.name, SmaCross.name)


def build_strategy(name: str, params: Mapping[str, str], engine: DecisionEngine) -> Strategy:
    """Return the strategy ``name`` with ``params`` (``--param key=value``); refuse an unknown
    name or parameter with a :class:`ValidationError`."""
    if name == SmaCross.name:
        return SmaCross.from_params(params)
    if name == DecisionEngineStrategy.name:
        return DecisionEngineStrategy.from_params(params, engine)
    raise ValidationError(f"no strategy {name!r} (there are {', '.join(STRATEGY_NAMES)})")
