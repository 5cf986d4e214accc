"""Fee and slippage models a simulated venue charges; both configurable, both exact Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradewire.core.events import Side
from tradewire.trading.instruments import Instrument
from tradewire.trading.money import BPS, ONE, ZERO


class Liquidity(StrEnum):
    """Whether a fill added liquidity (a resting limit) or took it (market, stop, marketable)."""

    MAKER = "maker"
    TAKER = "taker"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeModel:
    """Fees in basis points of the fill's notional (Binance USDⓈ-M regular tier by default)."""

    maker_bps: Decimal = Decimal(2)
    taker_bps: Decimal = Decimal(5)

    def __post_init__(self) -> None:
        if self.maker_bps < 0 or self.taker_bps < 0:
            raise ValueError("fee rates cannot be negative")

    def fee(self, notional: Decimal, liquidity: Liquidity) -> Decimal:
        """Return the fee on a fill of ``notional`` (quote currency)."""
        rate = self.maker_bps if liquidity is Liquidity.MAKER else self.taker_bps
        return notional * rate / BPS


class SlippageUnit(StrEnum):
    """How slippage is measured."""

    BPS = "bps"
    TICKS = "ticks"


@dataclass(frozen=True, slots=True, kw_only=True)
class SlippageModel:
    """Adverse slippage on fills that take liquidity: a fixed number of ticks or basis points.

    The default, one tick, is what a market order on a liquid book usually pays.
    """

    amount: Decimal = ONE
    unit: SlippageUnit = SlippageUnit.TICKS

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("slippage cannot be negative")

    def apply(self, price: Decimal, side: Side, instrument: Instrument) -> Decimal:
        """Return the price a taker buying (LONG) or selling (SHORT) at ``price`` gets: worse by
        the slippage, on the tick grid, and never below one tick."""
        if self.amount == ZERO:
            return price
        buying = side is Side.LONG
        if self.unit is SlippageUnit.TICKS:
            offset = self.amount * instrument.tick_size
            moved = price + offset if buying else price - offset
        else:
            factor = self.amount / BPS
            moved = price * (ONE + factor) if buying else price * (ONE - factor)
        moved = instrument.round_price(moved, up=buying)
        return max(moved, instrument.tick_size)
