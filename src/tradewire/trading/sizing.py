"""Position sizing that means what it says.

1. Risk: ``risk %`` of equity is what the trade may lose if the stop is hit, so the quantity is
   ``equity × risk % ÷ (|entry − stop| × multiplier)``.
2. Cap: the position's *notional* (``qty × entry × multiplier``, a value in the quote currency)
   is at most ``max notional %`` of equity. The seed compared this cap, an amount of USDT, with
   a quantity of BTC; here both sides are values.
3. The smaller of the two, rounded *down* to the instrument's step, and refused with a reason
   when that is below the instrument's minimum. Divisions round down too, so the result never
   exceeds either budget by a last-digit rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradewire.core.errors import RejectError
from tradewire.core.events import Side
from tradewire.trading.instruments import Instrument
from tradewire.trading.money import HUNDRED, floor_div, fmt


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    """A sized order: ``qty``, what it risks to the stop and its notional at the entry."""

    qty: Decimal
    risk: Decimal
    notional: Decimal
    capped: bool


def entry_and_stop(
    *,
    symbol: str,
    side: Side,
    entry: Decimal | None,
    price: Decimal | None,
    stop: Decimal | None,
    default_stop_percent: Decimal | None,
    instrument: Instrument,
) -> tuple[Decimal, Decimal]:
    """Return the entry to size from (the signal's, else the current ``price``) and the stop
    (the signal's, else ``default_stop_percent`` away from the entry, on the tick grid)."""
    entry = entry if entry is not None else price
    if entry is None:
        raise RejectError(f"no price for {symbol} yet, and the signal gives no entry")
    if stop is None:
        if default_stop_percent is None:
            raise RejectError("the signal has no stop loss and no default stop distance is set")
        offset = entry * default_stop_percent / HUNDRED
        away = entry - offset if side is Side.LONG else entry + offset
        stop = instrument.round_level(away, entry)
    return entry, stop


def check_stop(side: Side, entry: Decimal, stop: Decimal) -> None:
    """Refuse a stop at the entry or on the wrong side of it."""
    if stop == entry:
        raise RejectError(f"the stop {fmt(stop)} equals the entry: there is no risk to size from")
    if (stop > entry) if side is Side.LONG else (stop < entry):
        where = "below" if side is Side.LONG else "above"
        raise RejectError(
            f"a {side.value}'s stop must be {where} its entry (stop {fmt(stop)}, "
            f"entry {fmt(entry)})"
        )


def size_position(
    *,
    side: Side,
    entry: Decimal,
    stop: Decimal,
    equity: Decimal,
    instrument: Instrument,
    risk_percent: Decimal,
    max_notional_percent: Decimal,
) -> Size:
    """Return the quantity that risks ``risk_percent`` of ``equity`` between ``entry`` and
    ``stop``, its notional capped at ``max_notional_percent`` of equity.

    Raise :class:`RejectError` with a reason the trader reads when there is no equity, the stop
    is on the wrong side of the entry or at it, or the size is below the instrument's minimum.
    """
    currency = instrument.quote_currency
    if equity <= 0:
        raise RejectError(f"the account has no {currency} equity to trade with")
    check_stop(side, entry, stop)
    distance = abs(entry - stop)
    risk_budget = equity * risk_percent / HUNDRED
    notional_cap = equity * max_notional_percent / HUNDRED
    by_risk = floor_div(risk_budget, distance * instrument.multiplier)
    by_cap = floor_div(notional_cap, entry * instrument.multiplier)
    qty = instrument.round_qty(min(by_risk, by_cap))
    unit = instrument.unit
    if qty <= 0 or qty < instrument.min_qty:
        raise RejectError(
            f"the size {fmt(qty)} {unit} is below the minimum {fmt(instrument.min_qty)} {unit} "
            f"(risk {fmt(risk_budget)} {currency} over a stop distance of {fmt(distance)}, "
            f"notional capped at {fmt(notional_cap)} {currency})"
        )
    notional = instrument.notional(qty, entry)
    if notional < instrument.min_notional:
        raise RejectError(
            f"the order's value {fmt(notional)} {currency} is below the minimum "
            f"{fmt(instrument.min_notional)} {currency}"
        )
    return Size(
        qty=qty,
        risk=qty * distance * instrument.multiplier,
        notional=notional,
        capped=by_cap < by_risk,
    )
