"""Net-position accounting for a fill: exact Decimal, on a cost basis.

A position keeps ``cost`` (Σ qty × price of its open part) rather than only an average price,
so unrealised PnL is exact. Closing part of a position removes that part's share of the cost,
rounded once to :data:`~tradewire.trading.money.MONEY_QUANTUM`; whatever the rounding gives
the closed part, the open part keeps the rest, so realised plus unrealised PnL always equals
the fills' cash flows exactly and no rounding ever accumulates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tradewire.core.events import Side
from tradewire.trading.instruments import Instrument
from tradewire.trading.model import Position
from tradewire.trading.money import ZERO, quantize_money


@dataclass(frozen=True, slots=True)
class FillEffect:
    """What one fill did to a net position: the position it grew or shrank (``changed``), the
    one it closed, the one it opened, and the PnL it realised (before fees)."""

    realised: Decimal
    changed: Position | None = None
    closed: Position | None = None
    opened: Position | None = None

    @property
    def position_id(self) -> str:
        """The position the fill leaves (or, when it only closed one, the one it closed)."""
        last = self.opened or self.changed or self.closed
        assert last is not None  # a fill always touches a position
        return last.id


def open_position(
    position_id: str,
    side: Side,
    qty: Decimal,
    price: Decimal,
    fee: Decimal,
    instrument: Instrument,
    ts: int,
) -> Position:
    """Return a new position of ``qty`` at ``price``."""
    return Position(
        id=position_id,
        symbol=instrument.symbol,
        side=side,
        qty=qty,
        cost=qty * price,
        avg_entry=price,
        multiplier=instrument.multiplier,
        currency=instrument.quote_currency,
        mark=price,
        fees=fee,
        ts_opened=ts,
    )


def apply_fill(
    position: Position | None,
    *,
    side: Side,
    qty: Decimal,
    price: Decimal,
    fee: Decimal,
    instrument: Instrument,
    new_position_id: str,
    ts: int,
) -> FillEffect:
    """Return what a fill of ``qty`` at ``price`` on ``side`` does to the net ``position``.

    Same side (or none): the position opens or grows. Opposite side: it shrinks, closes, or
    closes and the rest opens a new one on the other side. ``fee`` is split between the closed
    and the opened part in proportion to their quantities.
    """
    if position is None:
        return FillEffect(
            ZERO, opened=open_position(new_position_id, side, qty, price, fee, instrument, ts)
        )
    if position.side is side:
        total = position.qty + qty
        cost = position.cost + qty * price
        grown = replace(
            position,
            qty=total,
            cost=cost,
            avg_entry=quantize_money(cost / total),
            mark=price,
            fees=position.fees + fee,
        )
        return FillEffect(ZERO, changed=grown)
    closing = min(qty, position.qty)
    closing_fee = fee if closing == qty else quantize_money(fee * closing / qty)
    removed = (
        position.cost
        if closing == position.qty
        else quantize_money(position.cost * closing / position.qty)
    )
    realised = position.sign * (price * closing - removed) * position.multiplier
    left = replace(
        position,
        qty=position.qty - closing,
        cost=position.cost - removed,
        mark=price,
        realised_pnl=position.realised_pnl + realised,
        fees=position.fees + closing_fee,
        ts_closed=ts if closing == position.qty else 0,
    )
    if left.qty:
        return FillEffect(realised, changed=left)
    rest = qty - closing
    opened = (
        open_position(new_position_id, side, rest, price, fee - closing_fee, instrument, ts)
        if rest
        else None
    )
    return FillEffect(realised, closed=left, opened=opened)
