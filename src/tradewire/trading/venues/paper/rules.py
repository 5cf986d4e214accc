"""What the paper venue refuses, as an exchange would, with the reason the trader reads."""

from __future__ import annotations

from decimal import Decimal

from tradewire.core.events import Side
from tradewire.trading.instruments import Instrument
from tradewire.trading.model import Order, OrderType
from tradewire.trading.money import ZERO, fmt
from tradewire.trading.venues.paper.ledger import AccountBook, Ledger


def order_refusal(
    ledger: Ledger,
    book: AccountBook,
    instrument: Instrument,
    order: Order,
    price: Decimal | None = None,
) -> str | None:
    """Return why ``order`` cannot be placed (or executed at ``price``), or None.

    Without ``price`` the order is judged at its limit, its trigger or the last price. A
    reduce-only order needs a position to reduce and is exempt from the minimums and margin,
    as on the exchanges.
    """
    symbol, unit = instrument.symbol, instrument.unit
    if order.qty <= 0:
        return "the quantity must be positive"
    if order.qty % instrument.step_size:  # exact in Decimal: off the grid leaves a remainder
        return (
            f"the quantity {fmt(order.qty)} is not a multiple of the step "
            f"{fmt(instrument.step_size)} {unit}"
        )
    if order.type is OrderType.LIMIT and (order.price is None or order.price <= 0):
        return "a limit order needs a positive limit price"
    if order.type is OrderType.STOP and (order.trigger_price is None or order.trigger_price <= 0):
        return "a stop order needs a positive trigger price"
    for level in (order.price, order.trigger_price):
        if level is not None and level % instrument.tick_size:
            return f"the price {fmt(level)} is not on the tick {fmt(instrument.tick_size)}"
    mark = ledger.marks.get(symbol)
    if order.type is OrderType.MARKET and mark is None:
        return f"no price for {symbol} yet: a market order cannot be filled"
    position = book.positions.get(symbol)
    if order.reduce_only:
        if position is None or position.side is order.side:
            return f"reduce-only: there is no {order.side.opposite.value} position in {symbol}"
        return None
    if order.qty < instrument.min_qty:
        return f"the quantity is below the minimum {fmt(instrument.min_qty)} {unit}"
    price = price or order.price or order.trigger_price or mark
    if price is None:
        return None
    notional = instrument.notional(order.qty, price)
    if notional < instrument.min_notional:
        currency = instrument.quote_currency
        return (
            f"the order's value {fmt(notional)} {currency} is below the minimum "
            f"{fmt(instrument.min_notional)} {currency}"
        )
    return _margin_refusal(ledger, book, instrument, order, price)


def _margin_refusal(
    ledger: Ledger, book: AccountBook, instrument: Instrument, order: Order, price: Decimal
) -> str | None:
    """Refuse an order that would make the positions in its currency need more margin than
    the account's equity; an order that shrinks the position never is."""
    symbol, currency = instrument.symbol, instrument.quote_currency
    position = book.positions.get(symbol)
    held = position.sign * position.qty if position else ZERO
    after = held + (order.qty if order.side is Side.LONG else -order.qty)
    if abs(after) <= abs(held):
        return None
    if currency not in book.cash:
        return f"the account holds no {currency}"
    needed = sum(
        (
            ledger.margin(p)
            for p in book.positions.values()
            if p.currency == currency and p.symbol != symbol
        ),
        ZERO,
    ) + instrument.notional(abs(after), price) / ledger.leverage(instrument)
    equity = ledger.balance(book.positions, book.cash, currency).equity
    if needed > equity:
        return (
            f"insufficient margin: the position needs {fmt(round(needed, 2))} {currency}, "
            f"the account's equity is {fmt(round(equity, 2))} {currency}"
        )
    return None
