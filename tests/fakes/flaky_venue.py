"""An ExecutionVenue (port: tradewire.trading.ports) in front of a real one that fails orders
on demand: before they reach the venue, or after (the order is placed, the answer is lost)."""

from __future__ import annotations

from decimal import Decimal

from tradewire.core.errors import RetryableError
from tradewire.core.prices import PriceTick
from tradewire.trading.model import Balance, Fill, Order, OrderRequest, Position
from tradewire.trading.ports import ExecutionVenue


class FlakyVenue:
    """Delegate to ``venue``; ``refuse`` / ``lose`` count the next placements to fail."""

    def __init__(self, venue: ExecutionVenue) -> None:
        self.venue = venue
        self.name = venue.name
        #: Placements to fail without reaching the venue.
        self.refuse = 0
        #: Placements to pass to the venue and then fail, as if the answer never came back.
        self.lose = 0
        self.placed: list[str] = []

    async def place(self, account: str, request: OrderRequest) -> Order:
        if self.refuse:
            self.refuse -= 1
            raise RetryableError("the venue did not answer", retry_after=1)
        order = await self.venue.place(account, request)
        self.placed.append(request.client_order_id)
        if self.lose:
            self.lose -= 1
            raise RetryableError("the connection dropped before the answer", retry_after=1)
        return order

    async def amend(
        self,
        account: str,
        order_id: str,
        *,
        qty: Decimal | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> Order:
        return await self.venue.amend(
            account, order_id, qty=qty, price=price, trigger_price=trigger_price
        )

    async def cancel(self, account: str, order_id: str) -> Order:
        return await self.venue.cancel(account, order_id)

    async def order(self, account: str, client_order_id: str) -> Order | None:
        return await self.venue.order(account, client_order_id)

    async def orders(self, account: str, *, open_only: bool = False) -> list[Order]:
        return await self.venue.orders(account, open_only=open_only)

    async def fills(self, account: str) -> list[Fill]:
        return await self.venue.fills(account)

    async def positions(self, account: str) -> list[Position]:
        return await self.venue.positions(account)

    async def balances(self, account: str) -> list[Balance]:
        return await self.venue.balances(account)

    async def on_price(self, tick: PriceTick) -> None:
        await self.venue.on_price(tick)
