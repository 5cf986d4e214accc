"""The values an execution venue speaks in: order requests, orders, fills, positions, balances.

All frozen, all Decimal. ``side`` is :class:`~tradewire.core.events.Side` everywhere: an order
on the LONG side buys, one on the SHORT side sells, so BUY and LONG are one thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradewire.core.events import Side
from tradewire.trading.fees import Liquidity
from tradewire.trading.money import ZERO


class OrderType(StrEnum):
    """How an order executes: at once, at a price or better, or at once when a price trades."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    #: Working: resting on the book or waiting for its trigger.
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        # Identity, not ``in (…)``: a string enum's equality test costs more (hot path).
        return self is OrderStatus.OPEN or self is OrderStatus.PARTIALLY_FILLED


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRequest:
    """What to place. ``client_order_id`` is the idempotency key: placing the same id again
    returns the order it already names and never places a second one.

    ``price`` is a limit order's limit, ``trigger_price`` a stop order's trigger; a reduce-only
    order only ever shrinks a position (it is clamped to it, and refused when there is none).
    ``reason`` says why the order exists, in words the trader reads on the fill.
    """

    client_order_id: str
    symbol: str
    side: Side
    qty: Decimal
    type: OrderType = OrderType.MARKET
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    reduce_only: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order as the venue holds it: the request plus status and what has filled."""

    id: str
    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    qty: Decimal
    status: OrderStatus
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    reduce_only: bool = False
    reason: str = ""
    filled_qty: Decimal = ZERO
    avg_fill_price: Decimal | None = None
    #: Why it was rejected or canceled, for the trader.
    status_reason: str | None = None
    ts_created: int = 0
    ts_updated: int = 0

    @property
    def remaining_qty(self) -> Decimal:
        return self.qty - self.filled_qty


@dataclass(frozen=True, slots=True, kw_only=True)
class Fill:
    """One execution. ``fee`` is in ``fee_currency``; ``realised_pnl`` is what this fill closed
    (before fees), zero for a fill that only opens or adds."""

    id: str
    order_id: str
    client_order_id: str
    position_id: str
    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    liquidity: Liquidity
    realised_pnl: Decimal = ZERO
    ts_event: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """A net position in one symbol.

    ``cost`` is Σ qty × price of the part still open, kept exact so unrealised PnL is exact;
    ``avg_entry`` is for reading (set when the position opens or grows). ``realised_pnl`` adds
    up every reduction (before fees); ``fees`` every fee its fills paid. ``mark`` is the last
    price the venue saw. A closed position has ``qty`` 0 and ``ts_closed`` set.
    """

    id: str
    symbol: str
    side: Side
    qty: Decimal
    cost: Decimal
    avg_entry: Decimal
    multiplier: Decimal
    currency: str
    mark: Decimal
    realised_pnl: Decimal = ZERO
    fees: Decimal = ZERO
    ts_opened: int = 0
    ts_closed: int = 0

    @property
    def sign(self) -> int:
        return 1 if self.side is Side.LONG else -1

    @property
    def unrealised_pnl(self) -> Decimal:
        """The open part marked to ``mark``: exact, from the cost basis."""
        return self.unrealised_at(self.mark)

    def unrealised_at(self, price: Decimal) -> Decimal:
        """The open part marked to ``price``."""
        return self.sign * (price * self.qty - self.cost) * self.multiplier

    @property
    def notional(self) -> Decimal:
        return self.notional_at(self.mark)

    def notional_at(self, price: Decimal) -> Decimal:
        """The position's value at ``price``."""
        return self.qty * price * self.multiplier

    @property
    def is_open(self) -> bool:
        return self.qty > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Balance:
    """An account's money in one currency: ``equity`` = ``cash`` + ``unrealised_pnl``.

    ``margin_used`` is what the open positions in this currency tie up at the venue's leverage.
    """

    currency: str
    cash: Decimal
    unrealised_pnl: Decimal = ZERO
    margin_used: Decimal = ZERO

    @property
    def equity(self) -> Decimal:
        return self.cash + self.unrealised_pnl

    @property
    def available(self) -> Decimal:
        return self.equity - self.margin_used
