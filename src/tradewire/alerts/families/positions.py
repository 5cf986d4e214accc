"""The intent of a JSON alert from its position fields, shared by the JSON families.

Reads ``tradeType`` (open/close), the reported position before and after the order
(``prev_position``, ``prevMarketPosition``, ``marketPosition``, TradersPost's ``sentiment``),
the signed ``positionSize`` or unsigned ``marketPositionSize``, ``reduceOnly``, and comment
fields (``Exit Long``, ``long_entry``), and joins them with the action word; see
:mod:`tradewire.alerts.intent` for the rules.
"""

from __future__ import annotations

from tradewire.alerts.fields import Fields
from tradewire.alerts.intent import (
    Held,
    Resolution,
    agree,
    check_order,
    from_positions,
    from_words,
    parse_held,
)
from tradewire.alerts.numbers import parse_number
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Intent, Side

PREV = ("prevposition", "prevmarketposition", "strategyprevmarketposition")
NOW = ("marketposition", "strategymarketposition", "sentiment", "strategysentiment")
SIGNED_SIZE = ("positionsize", "strategypositionsize", "newstrategyposition")
NOW_SIZE = ("marketpositionsize", "strategymarketpositionsize")
CONTRACTS = ("contracts", "ordercontracts", "strategyordercontracts", "quantity", "qty")
TRADE_TYPE = ("tradetype", "ordertradetype")
COMMENTS = (
    "type",
    "event",
    "eventtype",
    "signaltype",
    "alerttype",
    "strategyaction",
    "comment",
    "ordercomment",
    "strategyordercomment",
)
_INTENT_FIELDS = frozenset(
    (*PREV, *NOW, *SIGNED_SIZE, *NOW_SIZE, *TRADE_TYPE, *COMMENTS, "reduceonly")
)
_TRADE_TYPES = {
    "open": Intent.OPEN,
    "entry": Intent.OPEN,
    "enter": Intent.OPEN,
    "close": Intent.CLOSE,
    "exit": Intent.CLOSE,
}


def resolve(fields: Fields, direction: Direction, said: Resolution | None) -> Resolution:
    """Return the alert's intent and side; raise ValidationError when its fields disagree."""
    order = direction.order_side
    if said is None and not fields.names() & _INTENT_FIELDS:
        return _complete(None, order)  # most alerts: nothing but the action speaks
    resolution = said
    trade_type = fields.first("tradeType", TRADE_TYPE)
    if trade_type is not None:
        intent = _TRADE_TYPES.get(str(trade_type).strip().lower())
        if intent is None:
            raise ValidationError(f"tradeType must be open or close, got {trade_type!r}")
        resolution = agree(resolution, Resolution(intent), "tradeType and action disagree")
    for name in COMMENTS:
        text = fields.get(name)
        if isinstance(text, str):
            said_by_words = from_words(text)
            resolution = agree(resolution, said_by_words, f"{name} {text!r} and action disagree")
    if fields.get("reduceonly") in (True, "true", "True", "TRUE"):
        resolution = agree(resolution, Resolution(Intent.CLOSE), "reduceOnly on an entry")
    positions = _from_position_fields(fields, order)
    resolution = agree(resolution, positions, "the position fields and the action disagree")
    return _complete(resolution, order)


def _from_position_fields(fields: Fields, order: Side | None) -> Resolution | None:
    prev = _held(fields, "previous position", PREV)
    now = _held(fields, "market position", NOW)
    signed = fields.first("position size", SIGNED_SIZE)
    now_size = fields.first("position size", NOW_SIZE)
    size = None if now_size is None else abs(parse_number(now_size, "position size"))
    if signed is not None:
        number = parse_number(signed, "position size")
        by_size = Held.LONG if number > 0 else Held.SHORT if number < 0 else Held.FLAT
        if now is not None and now is not by_size:
            raise ValidationError(
                f"market position {now.value} and position size {number:g} disagree"
            )
        now, size = by_size, abs(number)
    if prev is None and now is None:
        return None
    order_size = _order_size(fields.first("contracts", CONTRACTS))
    if order is None:
        return _close_word(prev, now)
    return from_positions(order, prev=prev, now=now, contracts=order_size, now_size=size)


def _close_word(prev: Held | None, now: Held | None) -> Resolution:
    """A ``close``/``exit`` word with a reported position: a whole close leaves it flat, a
    partial one leaves the same side."""
    if now in (None, Held.FLAT):
        if prev is Held.FLAT:
            raise ValidationError("a close with the position flat before and after it")
        return Resolution(Intent.CLOSE, prev.side if prev else None)
    if prev not in (None, now):
        raise ValidationError(f"a close cannot take a position from {prev.value} to {now.value}")
    return Resolution(Intent.REDUCE, now.side)


def _order_size(value: object) -> float | None:
    """The order's size in units, when it is one (not ``50%`` or a size in another unit)."""
    if value is None:
        return None
    try:
        return abs(parse_number(value, "contracts"))
    except ValidationError:
        return None


def _held(fields: Fields, what: str, names: tuple[str, ...]) -> Held | None:
    value = fields.first(what, names)
    return None if value is None else parse_held(value, what)


def _complete(resolution: Resolution | None, side: Side | None) -> Resolution:
    if resolution is None:
        return Resolution(Intent.OPEN, side)
    if resolution.side is None and side is not None:
        # An exit by a sell order closes a long; an entry by a buy opens one.
        exit_side = side.opposite if resolution.intent.is_exit else side
        resolution = Resolution(resolution.intent, exit_side)
    check_order(resolution, side)
    return resolution
