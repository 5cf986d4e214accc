"""Price ticks from what other parts publish (tape prints, quotes) and from posted prices."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from tradewire.alerts.symbols import normalise_symbol
from tradewire.core.clock import iso_utc
from tradewire.core.errors import ValidationError
from tradewire.core.events import Quote, TapeTrade
from tradewire.core.prices import PriceTick

NS = 1_000_000_000
#: Posted prices at most this old are taken (older ones cannot be the latest price).
MAX_AGE_S = 86_400
#: Posted prices at most this far ahead of tradewire's clock are taken (the sender's clock
#: may run a little fast; more means a wrong time zone or unit).
MAX_AHEAD_S = 60
#: No instrument trades this high; a larger number is a unit or typing mistake.
MAX_PRICE = Decimal("1e12")
#: Digits after the point a price may have (the finest crypto tick has 8; tokens count 18).
MAX_PLACES = 18


def decimal_price(value: float | str) -> Decimal:
    """A float or text price as the Decimal it was written as (``0.1`` is ``Decimal("0.1")``)."""
    return Decimal(str(value))


def ticks_from_tape(trades: Iterable[TapeTrade], now_ns: int) -> list[PriceTick]:
    """The last print of each symbol among ``trades`` (oldest first), in time order."""
    last = {trade.symbol: trade for trade in trades}
    return [
        PriceTick(
            symbol=trade.symbol,
            price=decimal_price(trade.price),
            source="tape",
            ts_event=trade.ts_ns,
            ts_init=now_ns,
        )
        for trade in sorted(last.values(), key=lambda t: t.ts_ns)
    ]


def tick_from_quote(quote: Quote, now_ns: int) -> PriceTick:
    """A collector quote as a tick of its ticker at the provider's quote time."""
    return PriceTick(
        symbol=quote.ticker,
        price=decimal_price(quote.price),
        source="quote",
        ts_event=quote.ts_event,
        ts_init=now_ns,
    )


def posted_tick(symbol: str, price: Decimal, ts_ns: int, now_ns: int) -> PriceTick:
    """A price sent to the API as a tick; ValidationError saying every reason it is not one.

    The symbol must be one an alert could name; the price finite, positive, below
    :data:`MAX_PRICE` and with at most :data:`MAX_PLACES` digits after the point; the time
    within :data:`MAX_AGE_S` before and :data:`MAX_AHEAD_S` after ``now_ns``.
    """
    reasons: list[str] = []
    try:
        normalise_symbol(symbol)
    except ValidationError as exc:
        reasons.append(exc.message)
    if not price.is_finite() or price <= 0:
        reasons.append(f"price must be a positive number, not {price}")
    elif price >= MAX_PRICE:
        reasons.append(f"price {price} is not below {MAX_PRICE:f}")
    elif -int(price.normalize().as_tuple().exponent) > MAX_PLACES:
        reasons.append(f"price {price} has more than {MAX_PLACES} digits after the point")
    if ts_ns < now_ns - MAX_AGE_S * NS:
        reasons.append(f"ts {iso_utc(max(ts_ns, 0))} is more than {MAX_AGE_S} s old")
    elif ts_ns > now_ns + MAX_AHEAD_S * NS:
        reasons.append(f"ts {iso_utc(ts_ns)} is more than {MAX_AHEAD_S} s ahead of now")
    if reasons:
        raise ValidationError("; ".join(reasons))
    return PriceTick(
        symbol=symbol.strip().upper(), price=price, source="api", ts_event=ts_ns, ts_init=now_ns
    )
