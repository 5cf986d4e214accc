"""Ports of the trading core: the execution venue and the journal of trading events.

A venue is anything that executes orders for accounts: the paper venue, an exchange through
ccxt, the backtester's simulated market. The rest of trading talks only to
:class:`ExecutionVenue`, so it cannot tell them apart.

Errors, by what the caller should do:

* :class:`OrderRefused` (a :class:`~tradewire.core.errors.RejectError`): the venue will not
  take this order (too small, no margin, nothing to reduce); the reason is for the trader and
  retrying the same order is pointless.
* :class:`~tradewire.core.errors.RetryableError`: the venue could not be reached or did not
  answer; retry with the *same* ``client_order_id``, which can never place twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Protocol

from tradewire.core.errors import NotFoundError, RejectError
from tradewire.core.prices import PriceTick
from tradewire.trading.events import TradingEvent
from tradewire.trading.model import Balance, Fill, Order, OrderRequest, Position

#: Where a venue sends the events it produces (the message bus's ``publish`` in the service).
Publish = Callable[[TradingEvent], Awaitable[None]]


class OrderRefused(RejectError):
    """The venue refused an order; ``order`` is the rejected order, with its reason."""

    def __init__(self, order: Order) -> None:
        super().__init__(order.status_reason or "the order was refused")
        self.order = order


class UnknownOrderError(NotFoundError):
    """No order with that id exists for the account."""


class ExecutionVenue(Protocol):
    """Place, amend and cancel orders, and read orders, fills, positions and balances.

    A venue publishes every event it produces, in order per account, and appends it to the
    account's journal before it does. Handlers of its events run while it holds the account,
    so they must not call the venue back for that account (they may record and decide; the
    trade manager acts after the call that produced the event returns).
    """

    name: str

    async def place(self, account: str, request: OrderRequest) -> Order:
        """Place ``request``; return the order as it stands (filled already for a market
        order that executed). A ``client_order_id`` seen before returns that order instead.
        Raise :class:`OrderRefused` when the venue rejects it."""
        ...

    async def amend(
        self,
        account: str,
        order_id: str,
        *,
        qty: Decimal | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> Order:
        """Change an open order's size, limit or trigger; return it as amended."""
        ...

    async def cancel(self, account: str, order_id: str) -> Order:
        """Cancel an open order; return it as canceled (an order already done is returned
        as it is)."""
        ...

    async def order(self, account: str, client_order_id: str) -> Order | None:
        """Return the order placed with ``client_order_id``, if there is one."""
        ...

    async def orders(self, account: str, *, open_only: bool = False) -> list[Order]:
        """Return the account's orders, oldest first."""
        ...

    async def fills(self, account: str) -> list[Fill]:
        """Return the account's fills, oldest first."""
        ...

    async def positions(self, account: str) -> list[Position]:
        """Return the account's open positions, marked at the venue's last prices."""
        ...

    async def balances(self, account: str) -> list[Balance]:
        """Return the account's balance per currency."""
        ...

    async def on_price(self, tick: PriceTick) -> None:
        """Take a price: mark positions to it and (a simulated venue) execute what it crosses."""
        ...


class TradeJournal(Protocol):
    """Each account's trading events in the order they happened: what a venue did and what the
    trade manager decided. Persisting trading is storing these; starting is replaying them."""

    async def append(self, account: str, events: Sequence[TradingEvent]) -> None:
        """Append ``events`` to ``account``'s log, in order, all or none."""
        ...

    async def read(self, account: str) -> list[TradingEvent]:
        """Return every event of ``account`` in order."""
        ...

    async def accounts(self) -> list[str]:
        """Return every account with events."""
        ...
