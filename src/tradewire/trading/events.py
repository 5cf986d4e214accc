"""Frozen trading events: what a venue did to an account, and what the trade manager decided.

Every event names its ``account`` and ``venue``. A venue publishes the first group and appends
them to the account's journal; replaying an account's journal in order rebuilds the venue's
state (the paper venue) and the manager's brackets exactly. Snapshots (orders, positions,
balances) are carried whole, so replay sets state and never recomputes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradewire.core.events import Event, Side
from tradewire.trading.model import Balance, Fill, Order, Position
from tradewire.trading.triggers import Trail


@dataclass(frozen=True, slots=True, kw_only=True)
class TradingEvent(Event):
    """Something that happened to one account at one venue."""

    account: str
    venue: str


# --- What a venue did --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountOpened(TradingEvent):
    """The account starts (or starts again, after a reset) with these balances and nothing else."""

    balances: tuple[Balance, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderAccepted(TradingEvent):
    order: Order


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRejected(TradingEvent):
    """The venue refused the order; ``order.status_reason`` says why."""

    order: Order


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderAmended(TradingEvent):
    order: Order


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCanceled(TradingEvent):
    order: Order


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFilled(TradingEvent):
    """A fill (with its fee) and the order after it."""

    order: Order
    fill: Fill


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionOpened(TradingEvent):
    position: Position


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionChanged(TradingEvent):
    """The position grew or was partly closed; ``position.realised_pnl`` includes the part."""

    position: Position


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionClosed(TradingEvent):
    """The position is flat; ``position.realised_pnl`` is its whole realised PnL (before fees,
    which are in ``position.fees``)."""

    position: Position


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUpdated(TradingEvent):
    """Cash moved (a fee, realised PnL); ``balance.equity`` is cash plus the open positions
    marked at the venue's last prices."""

    balance: Balance


VENUE_EVENTS = (
    AccountOpened,
    OrderAccepted,
    OrderRejected,
    OrderAmended,
    OrderCanceled,
    OrderFilled,
    PositionOpened,
    PositionChanged,
    PositionClosed,
    AccountUpdated,
)


# --- What the trade manager decided ------------------------------------------------------------


class SignalAction(StrEnum):
    """What a signal did to an account."""

    OPENED = "opened"
    CLOSED = "closed"
    REDUCED = "reduced"
    REVERSED = "reversed"
    CANCELED_ENTRY = "canceled_entry"
    NOTHING_TO_CLOSE = "nothing_to_close"
    IGNORED = "ignored"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalHandled(TradingEvent):
    """A signal was acted on, or deliberately not: ``reason`` is for the trader. Recorded so a
    repeated signal is answered from here and never trades twice."""

    signal_id: str
    symbol: str
    action: SignalAction
    reason: str
    client_order_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BracketPlanned(TradingEvent):
    """Exits to arm once the entry order ``entry_client_order_id`` fills.

    ``take_profits`` are nearest first with their ``weights`` (shares of the position);
    ``stop`` may be None when only a trailing stop protects the position.
    """

    signal_id: str
    entry_client_order_id: str
    symbol: str
    side: Side
    stop: Decimal | None
    take_profits: tuple[Decimal, ...]
    weights: tuple[Decimal, ...]
    break_even: bool
    trail: Trail | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BracketArmed(TradingEvent):
    """The entry filled at ``entry_price``: the bracket of ``entry_client_order_id`` now guards
    ``position_id``, with ``stop`` (the plan's, or a tighter trailing stop from the entry)."""

    entry_client_order_id: str
    position_id: str
    entry_price: Decimal
    stop: Decimal | None


class StopReason(StrEnum):
    """Why a stop is where it is."""

    STOP_LOSS = "stop loss"
    BREAK_EVEN = "break-even stop"
    TRAILING = "trailing stop"


@dataclass(frozen=True, slots=True, kw_only=True)
class StopMoved(TradingEvent):
    """The stop of ``position_id`` moved in the position's favour (break-even or trailing)."""

    position_id: str
    stop: Decimal
    reason: StopReason


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerFired(TradingEvent):
    """A stop or take-profit was crossed and its exit order placed.

    ``target`` is the take-profit's index (0 = nearest) or None for the stop; ``price`` is the
    price that crossed it (the gap price when the market jumped past); ``note`` says what else
    happened in the same move (a take-profit also crossed, so the stop was taken first).
    """

    position_id: str
    target: int | None
    level: Decimal
    price: Decimal
    client_order_id: str
    note: str = ""
