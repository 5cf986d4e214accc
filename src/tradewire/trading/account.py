"""A trading account's own settings: how it sizes, protects and manages positions.

The integration step fills :class:`AccountSettings` from the user's stored settings; trading
reads nothing else about the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradewire.core.errors import ValidationError
from tradewire.trading.instruments import Instrument
from tradewire.trading.money import HUNDRED
from tradewire.trading.triggers import Trail
from tradewire.users.settings import OppositeSignal, TrailUnit

# The user's settings define the choices; the trading core takes them as they are.
__all__ = ["AccountSettings", "OppositeSignal", "TrailUnit", "TrailingStop"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailingStop:
    """A stop that follows the best price since entry at ``distance`` (percent or ticks) and
    only ever moves in the position's favour."""

    distance: Decimal
    unit: TrailUnit = TrailUnit.PERCENT

    def __post_init__(self) -> None:
        if self.distance <= 0:
            raise ValidationError("a trailing stop's distance must be positive")

    def for_instrument(self, instrument: Instrument) -> Trail:
        """Return the trail in the instrument's prices and on its tick grid."""
        if self.unit is TrailUnit.PERCENT:
            return Trail(distance=self.distance, percent=True, tick=instrument.tick_size)
        distance = self.distance * instrument.tick_size
        return Trail(distance=distance, percent=False, tick=instrument.tick_size)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSettings:
    """How one account trades signals (defaults: the seed's 2 % risk and 10 % cap).

    ``take_profit_weights`` share the position among the take-profit levels, nearest first
    (empty, or a count that does not match the levels: equal shares). ``reduce_percent`` is
    what a ``reduce`` signal that gives no size takes off.
    """

    risk_percent: Decimal = Decimal(2)
    max_notional_percent: Decimal = Decimal(10)
    default_stop_percent: Decimal | None = None
    opposite_signal: OppositeSignal = OppositeSignal.CLOSE
    take_profit_weights: tuple[Decimal, ...] = ()
    break_even_after_first_take_profit: bool = False
    trailing_stop: TrailingStop | None = None
    reduce_percent: Decimal = Decimal(50)

    def __post_init__(self) -> None:
        if not 0 < self.risk_percent <= HUNDRED:
            raise ValidationError("risk percent must be above 0 and at most 100")
        if self.max_notional_percent <= 0:
            raise ValidationError("the maximum notional percent must be positive")
        if self.default_stop_percent is not None and not 0 < self.default_stop_percent < HUNDRED:
            raise ValidationError("the default stop distance must be between 0 and 100 percent")
        if any(w <= 0 for w in self.take_profit_weights):
            raise ValidationError("take-profit weights must be positive")
        if not 0 < self.reduce_percent <= HUNDRED:
            raise ValidationError("the reduce percent must be above 0 and at most 100")

    def weights(self, levels: int) -> tuple[Decimal, ...]:
        """Return the share weights of ``levels`` take-profits."""
        if len(self.take_profit_weights) == levels:
            return self.take_profit_weights
        return (Decimal(1),) * levels
