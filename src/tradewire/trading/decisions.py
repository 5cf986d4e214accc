"""What a signal does to one account's position in its symbol: a pure decision.

* ``open``: open when flat; the same side open already → ignored; the opposite side open →
  the account's setting (close it, reverse it, or ignore the signal).
* ``close`` / ``reduce``: exit (all, or part) of the position on the side the signal closes.
  They never open anything: with nothing to close the decision is a reported no-op (a close
  still cancels a pending entry on that side, which is the position-to-be).
* ``reverse``: close the opposite position, if any, then open.

Pending entries are the account's open, non-reduce-only orders in the symbol.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradewire.core.errors import RejectError
from tradewire.core.events import Intent, Side, Signal, SizeUnit
from tradewire.trading.account import AccountSettings, OppositeSignal
from tradewire.trading.events import SignalAction
from tradewire.trading.instruments import Instrument
from tradewire.trading.model import Order, Position
from tradewire.trading.money import HUNDRED, fmt, to_decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """Cancel ``cancel``, then exit ``close_qty`` of the position, then open ``open_side``."""

    action: SignalAction
    reason: str
    cancel: tuple[Order, ...] = ()
    close_qty: Decimal | None = None
    open_side: Side | None = None


def decide(
    signal: Signal,
    position: Position | None,
    pending: list[Order],
    settings: AccountSettings,
    instrument: Instrument,
) -> Decision:
    """Return what ``signal`` does, given the account's ``position`` and ``pending`` entries in
    the signal's symbol; raise :class:`RejectError` for a signal that cannot be acted on."""
    symbol = instrument.symbol
    if signal.intent is Intent.OPEN:
        return _open(signal, position, pending, settings, symbol)
    if signal.intent is Intent.REVERSE:
        side = _side(signal)
        if position is not None and position.side is side:
            return Decision(
                action=SignalAction.IGNORED, reason=f"a {side} position in {symbol} is open already"
            )
        if position is None:
            return Decision(
                action=SignalAction.OPENED,
                reason=f"nothing to reverse in {symbol}: opening a {side}",
                cancel=tuple(pending),
                open_side=side,
            )
        return Decision(
            action=SignalAction.REVERSED,
            reason=f"reversing the {position.side} in {symbol} to a {side}",
            cancel=tuple(pending),
            close_qty=position.qty,
            open_side=side,
        )
    closes = signal.closes
    entries = tuple(o for o in pending if closes is None or o.side is closes)
    side_word = f"{closes} " if closes else ""
    if position is None or (closes is not None and position.side is not closes):
        if signal.intent is Intent.CLOSE and entries:
            return Decision(
                action=SignalAction.CANCELED_ENTRY,
                reason=f"no {side_word}position in {symbol}: canceled the pending entry",
                cancel=entries,
            )
        return Decision(
            action=SignalAction.NOTHING_TO_CLOSE,
            reason=f"no {side_word}position in {symbol} to {signal.intent}: nothing done",
        )
    qty = position.qty
    if signal.intent is Intent.REDUCE:
        qty = _reduction(signal, position, settings, instrument)
        if qty < position.qty:
            return Decision(
                action=SignalAction.REDUCED,
                reason=f"reducing the {position.side} in {symbol} by {fmt(qty)} {instrument.unit}",
                close_qty=qty,
            )
    return Decision(
        action=SignalAction.CLOSED,
        reason=f"closing the {position.side} in {symbol}",
        cancel=entries,
        close_qty=qty,
    )


def _open(
    signal: Signal,
    position: Position | None,
    pending: list[Order],
    settings: AccountSettings,
    symbol: str,
) -> Decision:
    side = _side(signal)
    if position is None:
        if any(o.side is side for o in pending):
            return Decision(
                action=SignalAction.IGNORED,
                reason=f"an entry order for a {side} in {symbol} is pending already",
            )
        return Decision(
            action=SignalAction.OPENED,
            reason=f"opening a {side} in {symbol}",
            cancel=tuple(pending),
            open_side=side,
        )
    if position.side is side:
        return Decision(
            action=SignalAction.IGNORED, reason=f"a {side} position in {symbol} is open already"
        )
    policy = settings.opposite_signal
    if policy is OppositeSignal.IGNORE:
        return Decision(
            action=SignalAction.IGNORED,
            reason=f"a {side} signal against the open {position.side} is ignored (setting)",
        )
    if policy is OppositeSignal.CLOSE:
        return Decision(
            action=SignalAction.CLOSED,
            reason=f"closing the {position.side} in {symbol} on a {side} signal (setting)",
            cancel=tuple(pending),
            close_qty=position.qty,
        )
    return Decision(
        action=SignalAction.REVERSED,
        reason=f"reversing the {position.side} in {symbol} to a {side} (setting)",
        cancel=tuple(pending),
        close_qty=position.qty,
        open_side=side,
    )


def _side(signal: Signal) -> Side:
    side = signal.side or signal.direction.order_side
    if side is None:
        raise RejectError("the signal does not say whether to go long or short")
    return side


def _reduction(
    signal: Signal, position: Position, settings: AccountSettings, instrument: Instrument
) -> Decimal:
    """Return how much a reduce signal takes off ``position``, on the size grid."""
    if signal.qty is None:
        qty = position.qty * settings.reduce_percent / HUNDRED
    elif signal.qty_unit in (None, SizeUnit.UNITS):
        qty = to_decimal(signal.qty)
    elif signal.qty_unit is SizeUnit.POSITION_PERCENT:
        qty = position.qty * to_decimal(signal.qty) / HUNDRED
    else:
        raise RejectError(f"a reduce sized in {signal.qty_unit} is not supported")
    qty = instrument.round_qty(min(qty, position.qty))
    if qty <= 0:
        raise RejectError(
            f"the reduction rounds to nothing on the size step {fmt(instrument.step_size)}"
        )
    return qty
