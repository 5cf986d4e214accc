"""The paper venue's state, built only by applying its own events, in order.

The venue decides what happens (:mod:`.venue`), journals the events, then applies them here;
starting again is applying the journal. :meth:`Ledger.apply` only *sets* what the events carry,
so a replay cannot compute anything differently from the first time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from tradewire.core.events import Side
from tradewire.trading.events import (
    AccountOpened,
    AccountUpdated,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    TradingEvent,
)
from tradewire.trading.instruments import Instrument, InstrumentBook, InstrumentKind
from tradewire.trading.model import Balance, Fill, Order, OrderType, Position
from tradewire.trading.money import ZERO
from tradewire.trading.triggers import Cross, TriggerIndex


@dataclass(slots=True)
class AccountBook:
    """One account: cash per currency, open positions by symbol, orders, fills."""

    cash: dict[str, Decimal]
    positions: dict[str, Position] = field(default_factory=dict)
    closed: list[Position] = field(default_factory=list)
    orders: dict[str, Order] = field(default_factory=dict)
    #: The ids of the orders still working, oldest first: every signal asks for them, and an
    #: account that trades for months has thousands of orders done.
    open_orders: dict[str, None] = field(default_factory=dict)
    by_client_id: dict[str, str] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)


def resting_cross(order: Order) -> tuple[Decimal, Cross]:
    """Return where a resting order executes: a buy limit when the price falls to it, a sell
    limit when it rises to it; a buy stop when the price rises to it, a sell stop when it
    falls to it."""
    buying = order.side is Side.LONG
    if order.type is OrderType.LIMIT:
        assert order.price is not None  # the venue refuses a limit order without one
        return order.price, Cross.DOWN if buying else Cross.UP
    assert order.trigger_price is not None  # and a stop order without a trigger
    return order.trigger_price, Cross.UP if buying else Cross.DOWN


class Ledger:
    """Accounts, the last price of each symbol, and the index of resting orders."""

    def __init__(
        self, instruments: InstrumentBook, leverage: Mapping[InstrumentKind, Decimal]
    ) -> None:
        self.accounts: dict[str, AccountBook] = {}
        self.marks: dict[str, Decimal] = {}
        #: Resting limit and stop orders, keyed by (account, order id).
        self.resting: TriggerIndex[tuple[str, str]] = TriggerIndex()
        self._instruments = instruments
        self._leverage = leverage

    # --- evolve -----------------------------------------------------------------------------

    def apply(self, event: TradingEvent) -> None:
        """Apply one of the venue's events; events of other kinds are not the venue's state."""
        if isinstance(event, AccountOpened):
            self._open_account(event)
            return
        book = self.accounts.get(event.account)
        if book is None:
            return
        match event:
            case OrderAccepted() | OrderAmended() | OrderCanceled() | OrderRejected():
                self._set_order(event.account, book, event.order)
            case OrderFilled():
                self._set_order(event.account, book, event.order)
                book.fills.append(event.fill)
            case PositionOpened() | PositionChanged():
                book.positions[event.position.symbol] = event.position
            case PositionClosed():
                book.positions.pop(event.position.symbol, None)
                book.closed.append(event.position)
            case AccountUpdated():
                book.cash[event.balance.currency] = event.balance.cash

    def _open_account(self, event: AccountOpened) -> None:
        old = self.accounts.get(event.account)
        if old is not None:
            for order in old.orders.values():
                self.resting.remove((event.account, order.id))
        self.accounts[event.account] = AccountBook(
            cash={balance.currency: balance.cash for balance in event.balances}
        )

    def _set_order(self, account: str, book: AccountBook, order: Order) -> None:
        book.orders[order.id] = order
        book.by_client_id[order.client_order_id] = order.id
        if order.status.is_open:
            book.open_orders[order.id] = None
        else:
            book.open_orders.pop(order.id, None)
        self.resting.remove((account, order.id))
        self.rest(account, order)

    def rest(self, account: str, order: Order) -> None:
        """Index ``order`` if it is a limit or stop order still working and not indexed."""
        key = (account, order.id)
        if order.status.is_open and order.type is not OrderType.MARKET and key not in self.resting:
            level, cross = resting_cross(order)
            self.resting.add(key, order.symbol, level, cross)

    # --- read -------------------------------------------------------------------------------

    def marked(self, position: Position) -> Position:
        """Return ``position`` marked at the last price seen for its symbol."""
        mark = self.marks.get(position.symbol)
        return position if mark is None or mark == position.mark else replace(position, mark=mark)

    def leverage(self, instrument: Instrument) -> Decimal:
        """Return the most notional one unit of equity may hold in ``instrument``."""
        return self._leverage[instrument.kind]

    def margin(self, position: Position) -> Decimal:
        """Return the margin ``position`` ties up at its kind's leverage (spot: all of it),
        marked at the last price."""
        value = position.notional_at(self.mark(position))
        return value / self.leverage(self._instruments.get(position.symbol))

    def mark(self, position: Position) -> Decimal:
        """Return the last price seen for ``position``'s symbol (its own mark if none)."""
        return self.marks.get(position.symbol, position.mark)

    def balance(
        self, positions: Mapping[str, Position], cash: Mapping[str, Decimal], currency: str
    ) -> Balance:
        """Return the balance in ``currency`` of ``cash`` and ``positions`` (marked at the last
        prices)."""
        unrealised = margin = ZERO
        for position in positions.values():
            if position.currency == currency:
                unrealised += position.unrealised_at(self.mark(position))
                margin += self.margin(position)
        return Balance(
            currency=currency,
            cash=cash.get(currency, ZERO),
            unrealised_pnl=unrealised,
            margin_used=margin,
        )
