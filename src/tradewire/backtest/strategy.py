"""The strategy interface: after each bar closes, look at the bars so far and say what to hold.

A strategy is any object with a ``name`` and a :meth:`Strategy.decide` method. The backtester
calls ``decide`` once per symbol per bar with only the bars up to the one that just closed
(and the other symbols' bars up to the same time), so a strategy cannot see the future; what it
returns is executed at the next bar's open, through the execution port, by the same trade
manager and paper venue that trade live signals.

An :class:`Intent` names the position wanted: ``long``, ``short`` or ``flat``. Holding that
side already does nothing; the opposite side is closed first (a reversal). Sizing is either the
account's risk settings (``size=None``: risk percent of equity over the distance to ``stop``,
capped, exactly as live paper trading sizes a signal; a stop is then required) or
:class:`EquityFraction` — that share of the available equity, in whole steps, net of the fee.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np

from tradewire.backtest.bars import Bars


class Hold(StrEnum):
    """The position a strategy wants in a symbol."""

    LONG = "long"
    SHORT = "short"
    FLAT = "flat"


@dataclass(frozen=True, slots=True, kw_only=True)
class EquityFraction:
    """Size an entry to ``fraction`` of the available equity (0 < fraction ≤ 1)."""

    fraction: float

    def __post_init__(self) -> None:
        if not 0 < self.fraction <= 1:
            raise ValueError("an equity fraction must be above 0 and at most 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """What to hold from the next bar's open, and the levels and reason that come with it.

    ``score`` is the strategy's probability (0–100) that a long reaches its target before its
    stop, if it has one (the decision engine does); reports and calibration read it.
    """

    hold: Hold
    stop: float | None = None
    targets: tuple[float, ...] = ()
    size: EquityFraction | None = None
    score: float | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.size is not None and (self.stop is not None or self.targets):
            raise ValueError(
                "an equity-fraction entry carries no stop or targets: give a stop and leave "
                "the size to the account's risk settings for a bracketed trade"
            )


class View:
    """The bars a strategy may read at one decision: its symbol's up to the bar that just
    closed, and any other loaded symbol's up to the same time."""

    __slots__ = ("_others", "bars", "now_ns")

    def __init__(self, bars: Bars, others: Mapping[str, Bars] | None = None) -> None:
        self.bars = bars
        self.now_ns = int(bars.ts[-1]) if len(bars) else 0
        self._others = others or {}

    def other(self, symbol: str) -> Bars | None:
        """Return another loaded symbol's bars up to now (None if it was not loaded)."""
        bars = self._others.get(symbol)
        if bars is None:
            return None
        return bars.upto(int(np.searchsorted(bars.ts, self.now_ns, side="right")))


class Strategy(Protocol):
    """Decide, after each bar, which position to hold (see the module's docstring)."""

    name: str

    def decide(self, view: View) -> Intent | None:
        """Return the position wanted from the next bar on, or None to leave things as they
        are."""
        ...
