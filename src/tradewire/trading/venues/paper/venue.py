"""The paper venue: simulated execution with the same port, events and errors as an exchange.

Market orders fill at the last price with adverse slippage; a limit order fills at once when
it is marketable (at the last price with slippage, never worse than its limit) or rests and
fills at its limit when the price reaches it; a stop order fills like a market order when the
price trades at its trigger or through it, at that price (a gap fills at the gap, not the
trigger). Fees are charged on every fill. Each account is a netting account with cash per
currency; the venue refuses what an exchange would (size off the grid or below the minimum,
no margin, nothing to reduce) with the reason.

Every change is an event: decided from the current state, appended to the account's journal,
applied to the :class:`~.ledger.Ledger`, then published, all while holding the account, so
events reach the journal and the handlers in the order they happened.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from tradewire.core.clock import Clock
from tradewire.core.errors import RejectError
from tradewire.core.events import Side
from tradewire.core.ids import new_id
from tradewire.core.prices import PriceTick
from tradewire.trading.config import PaperSettings
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
from tradewire.trading.fees import Liquidity
from tradewire.trading.instruments import Instrument, InstrumentBook
from tradewire.trading.model import (
    Balance,
    Fill,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
)
from tradewire.trading.money import ZERO, fmt, quantize_money
from tradewire.trading.ports import OrderRefused, Publish, TradeJournal, UnknownOrderError
from tradewire.trading.venues.paper.accounting import apply_fill
from tradewire.trading.venues.paper.ledger import AccountBook, Ledger
from tradewire.trading.venues.paper.rules import order_refusal

E = TypeVar("E", bound=TradingEvent)


class PaperVenue:
    """Simulated execution for any number of accounts (port: ExecutionVenue)."""

    name = "paper"

    def __init__(
        self,
        settings: PaperSettings,
        instruments: InstrumentBook,
        journal: TradeJournal,
        publish: Publish,
        clock: Clock,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._settings = settings
        self._instruments = instruments
        self._journal = journal
        self._publish = publish
        self._clock = clock
        self._ids = ids
        self._ledger = Ledger(instruments, settings.max_leverage)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def restore(self) -> None:
        """Rebuild every account from the journal (call once, before anything else)."""
        for account in await self._journal.accounts():
            for event in await self._journal.read(account):
                self._ledger.apply(event)

    # --- commands ---------------------------------------------------------------------------

    async def reset(self, account: str, balances: Mapping[str, Decimal] | None = None) -> None:
        """Start ``account`` again with ``balances`` (the configured ones by default) and no
        orders, positions or fills; its history stays in the journal."""
        async with self._locks[account]:
            await self._commit(account, [self._opened(account, balances)])

    async def place(self, account: str, request: OrderRequest) -> Order:
        async with self._locks[account]:
            book = await self._book(account)
            known = book.by_client_id.get(request.client_order_id)
            if known is not None:
                return self._answer(book.orders[known])
            now = self._clock.now_ns()
            order = Order(
                id=self._ids(),
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=request.side,
                type=request.type,
                qty=request.qty,
                status=OrderStatus.OPEN,
                price=request.price,
                trigger_price=request.trigger_price,
                reduce_only=request.reduce_only,
                reason=request.reason,
                ts_created=now,
                ts_updated=now,
            )
            try:
                instrument = self._instruments.get(order.symbol)
                refusal = order_refusal(self._ledger, book, instrument, order)
            except RejectError as exc:
                refusal = exc.message
            if refusal is not None:
                rejected = replace(order, status=OrderStatus.REJECTED, status_reason=refusal)
                await self._commit(account, [self._event(OrderRejected, account, order=rejected)])
                raise OrderRefused(rejected)
            events = [self._event(OrderAccepted, account, order=order)]
            events += self._work(account, book, instrument, order, now)
            await self._commit(account, events)
            return book.orders[order.id]

    async def amend(
        self,
        account: str,
        order_id: str,
        *,
        qty: Decimal | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> Order:
        async with self._locks[account]:
            book = self._known_book(account)
            order = self._open_order(book, order_id, "amended")
            now = self._clock.now_ns()
            amended = replace(
                order,
                qty=order.qty if qty is None else qty,
                price=order.price if price is None else price,
                trigger_price=order.trigger_price if trigger_price is None else trigger_price,
                ts_updated=now,
            )
            instrument = self._instruments.get(order.symbol)
            refusal = order_refusal(self._ledger, book, instrument, amended)
            if refusal is None and amended.qty <= amended.filled_qty:
                refusal = f"the order has {fmt(amended.filled_qty)} filled already"
            if refusal is not None:
                raise RejectError(f"the amendment is refused: {refusal}")
            events = [self._event(OrderAmended, account, order=amended)]
            events += self._work(account, book, instrument, amended, now)
            await self._commit(account, events)
            return book.orders[order_id]

    async def cancel(self, account: str, order_id: str) -> Order:
        async with self._locks[account]:
            book = self._known_book(account)
            order = book.orders.get(order_id)
            if order is None:
                raise UnknownOrderError(f"no order {order_id} in account {account}")
            if not order.status.is_open:
                return order
            canceled = self._canceled(order, "canceled", self._clock.now_ns())
            await self._commit(account, [self._event(OrderCanceled, account, order=canceled)])
            return canceled

    async def on_price(self, tick: PriceTick) -> None:
        """Mark ``tick.symbol`` at ``tick.price`` and execute the resting orders it reaches."""
        self._ledger.marks[tick.symbol] = tick.price
        hits = self._ledger.resting.crossed(tick.symbol, tick.price, tick.price)
        waiting: dict[str, list[str]] = defaultdict(list)
        for hit in hits:
            account, order_id = hit.key
            waiting[account].append(order_id)
        for account, order_ids in waiting.items():
            async with self._locks[account]:
                book = self._ledger.accounts[account]
                try:
                    for order_id in order_ids:
                        order = book.orders[order_id]
                        # Amended or canceled while this tick waited for the account: the
                        # index holds its current level now, or nothing.
                        if not order.status.is_open or (account, order_id) in self._ledger.resting:
                            continue
                        instrument = self._instruments.get(order.symbol)
                        events = self._execute_resting(account, book, instrument, order, tick)
                        await self._commit(account, events)
                finally:
                    for order_id in order_ids:
                        self._ledger.rest(account, book.orders[order_id])

    # --- queries ----------------------------------------------------------------------------

    async def order(self, account: str, client_order_id: str) -> Order | None:
        book = self._ledger.accounts.get(account)
        order_id = book.by_client_id.get(client_order_id) if book else None
        return book.orders[order_id] if book and order_id else None

    async def orders(self, account: str, *, open_only: bool = False) -> list[Order]:
        book = self._ledger.accounts.get(account)
        if book is None:
            return []
        if open_only:
            return [book.orders[order_id] for order_id in book.open_orders]
        return list(book.orders.values())

    async def fills(self, account: str) -> list[Fill]:
        book = self._ledger.accounts.get(account)
        return list(book.fills) if book else []

    async def positions(self, account: str) -> list[Position]:
        book = self._ledger.accounts.get(account)
        return [self._ledger.marked(p) for p in book.positions.values()] if book else []

    async def closed_positions(self, account: str) -> list[Position]:
        """Return the account's closed positions, oldest first (paper only: an exchange does
        not keep them)."""
        book = self._ledger.accounts.get(account)
        return list(book.closed) if book else []

    async def balances(self, account: str) -> list[Balance]:
        book = self._ledger.accounts.get(account)
        if book is None:
            return [Balance(currency=c, cash=a) for c, a in self._settings.balances.items()]
        currencies = dict.fromkeys([*book.cash, *(p.currency for p in book.positions.values())])
        return [self._ledger.balance(book.positions, book.cash, c) for c in currencies]

    # --- deciding ---------------------------------------------------------------------------

    def _work(
        self, account: str, book: AccountBook, instrument: Instrument, order: Order, now: int
    ) -> list[TradingEvent]:
        """Return the fill of ``order`` if it executes at the last price now; else nothing (it
        rests, or waits for its trigger)."""
        mark = self._ledger.marks.get(order.symbol)
        if mark is None:
            return []
        buying = order.side is Side.LONG
        taken = self._settings.slippage.apply(mark, order.side, instrument)
        if order.type is OrderType.LIMIT:
            assert order.price is not None  # refused without one
            if not (mark <= order.price if buying else mark >= order.price):
                return []
            taken = min(taken, order.price) if buying else max(taken, order.price)
        elif order.type is OrderType.STOP:
            assert order.trigger_price is not None  # refused without one
            if not (mark >= order.trigger_price if buying else mark <= order.trigger_price):
                return []
        return self._execute(account, book, instrument, order, taken, Liquidity.TAKER, now)

    def _execute_resting(
        self,
        account: str,
        book: AccountBook,
        instrument: Instrument,
        order: Order,
        tick: PriceTick,
    ) -> list[TradingEvent]:
        """Fill a resting order the price reached: a limit at its limit (it was on the book),
        a stop at the price that reached it, with slippage."""
        if order.type is OrderType.LIMIT:
            assert order.price is not None
            price, liquidity = order.price, Liquidity.MAKER
        else:
            price = self._settings.slippage.apply(tick.price, order.side, instrument)
            liquidity = Liquidity.TAKER
        return self._execute(account, book, instrument, order, price, liquidity, tick.ts_event)

    def _execute(
        self,
        account: str,
        book: AccountBook,
        instrument: Instrument,
        order: Order,
        price: Decimal,
        liquidity: Liquidity,
        now: int,
    ) -> list[TradingEvent]:
        position = book.positions.get(order.symbol)
        qty = order.remaining_qty
        if order.reduce_only:
            if position is None or position.side is order.side:
                reason = f"reduce-only: no {order.side.opposite.value} position to reduce"
                canceled = self._canceled(order, reason, now)
                return [self._event(OrderCanceled, account, order=canceled)]
            qty = min(qty, position.qty)
        else:
            refusal = order_refusal(self._ledger, book, instrument, order, price)
            if refusal is not None:
                canceled = self._canceled(order, refusal, now)
                return [self._event(OrderCanceled, account, order=canceled)]
        fee = self._settings.fees.fee(instrument.notional(qty, price), liquidity)
        effect = apply_fill(
            position,
            side=order.side,
            qty=qty,
            price=price,
            fee=fee,
            instrument=instrument,
            new_position_id=self._ids(),
            ts=now,
        )
        filled_qty = order.filled_qty + qty
        paid = (order.avg_fill_price or ZERO) * order.filled_qty + price * qty
        filled = replace(
            order,
            filled_qty=filled_qty,
            avg_fill_price=quantize_money(paid / filled_qty),
            status=OrderStatus.FILLED,
            status_reason=None if filled_qty == order.qty else "clamped to the position's size",
            ts_updated=now,
        )
        fill = Fill(
            id=self._ids(),
            order_id=order.id,
            client_order_id=order.client_order_id,
            position_id=effect.position_id,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=price,
            fee=fee,
            fee_currency=instrument.quote_currency,
            liquidity=liquidity,
            realised_pnl=effect.realised,
            ts_event=now,
        )
        events: list[TradingEvent] = [
            self._event(OrderFilled, account, now, order=filled, fill=fill)
        ]
        positions = dict(book.positions)
        if effect.changed is not None:
            positions[order.symbol] = effect.changed
            events.append(self._event(PositionChanged, account, now, position=effect.changed))
        if effect.closed is not None:
            del positions[order.symbol]
            events.append(self._event(PositionClosed, account, now, position=effect.closed))
        if effect.opened is not None:
            positions[order.symbol] = effect.opened
            events.append(self._event(PositionOpened, account, now, position=effect.opened))
        currency = instrument.quote_currency
        cash = {**book.cash, currency: book.cash.get(currency, ZERO) + effect.realised - fee}
        balance = self._ledger.balance(positions, cash, currency)
        events.append(self._event(AccountUpdated, account, now, balance=balance))
        return events

    # --- plumbing ---------------------------------------------------------------------------

    async def _commit(self, account: str, events: list[TradingEvent]) -> None:
        await self._journal.append(account, events)
        for event in events:
            self._ledger.apply(event)
        for event in events:
            await self._publish(event)

    async def _book(self, account: str) -> AccountBook:
        book = self._ledger.accounts.get(account)
        if book is None:
            await self._commit(account, [self._opened(account, None)])
            book = self._ledger.accounts[account]
        return book

    def _known_book(self, account: str) -> AccountBook:
        book = self._ledger.accounts.get(account)
        if book is None:
            raise UnknownOrderError(f"account {account} has no orders")
        return book

    def _open_order(self, book: AccountBook, order_id: str, verb: str) -> Order:
        order = book.orders.get(order_id)
        if order is None:
            raise UnknownOrderError(f"no order {order_id}")
        if not order.status.is_open:
            raise RejectError(f"order {order_id} is {order.status.value}: it cannot be {verb}")
        return order

    def _opened(self, account: str, balances: Mapping[str, Decimal] | None) -> AccountOpened:
        amounts = self._settings.balances if balances is None else balances
        funded = tuple(Balance(currency=c, cash=a) for c, a in amounts.items())
        return self._event(AccountOpened, account, balances=funded)

    @staticmethod
    def _canceled(order: Order, reason: str, now: int) -> Order:
        return replace(order, status=OrderStatus.CANCELED, status_reason=reason, ts_updated=now)

    @staticmethod
    def _answer(order: Order) -> Order:
        if order.status is OrderStatus.REJECTED:
            raise OrderRefused(order)
        return order

    def _event(self, kind: type[E], account: str, ts: int | None = None, **fields: Any) -> E:
        now = self._clock.now_ns()
        return kind(
            ts_event=now if ts is None else ts,
            ts_init=now,
            account=account,
            venue=self.name,
            **fields,
        )
