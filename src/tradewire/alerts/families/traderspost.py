"""TradersPost-style signals (format ``traderspost``).

``ticker``, ``action`` (``buy``, ``sell``, ``exit``, ``add``; ``cancel`` is a bot command),
``sentiment`` (the position after the order: ``bullish``/``long``, ``bearish``/``short``,
``flat``), ``orderType`` with ``limitPrice``/``stopPrice`` (the entry), ``price``,
``signalPrice`` (the market price when the signal fired), ``quantity`` with ``quantityType``
(``fixed_quantity``, ``dollar_amount``, ``percent_of_equity``, ``percent_of_position``), and
brackets: ``takeProfit``/``stopLoss`` objects with an absolute ``limitPrice``/``stopPrice``,
or a ``percent`` or ``amount`` away from the entry (``levelsFrom: entry``) or, without one,
from the signal price (``levelsFrom: price``).
"""

from __future__ import annotations

from tradewire.alerts.families.generic_json import SYMBOL
from tradewire.alerts.families.positions import NOW, resolve
from tradewire.alerts.fields import Fields
from tradewire.alerts.intent import Resolution, parse_action, parse_held
from tradewire.alerts.levels import level_from_distance
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.numbers import parse_positive
from tradewire.alerts.registry import JsonFamily
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Side, SizeUnit

_MARKS = frozenset(
    {"sentiment", "signalprice", "quantitytype"}
    | {f"takeprofit{k}" for k in ("percent", "amount", "limitprice", "pnlamount")}
    | {
        f"stoploss{k}"
        for k in (
            *("type", "percent", "amount", "stopprice", "limitprice"),
            *("trailprice", "trailpercent", "trailamount", "pnlamount"),
        )
    }
)
_UNITS = {
    "fixedquantity": SizeUnit.UNITS,
    "dollaramount": SizeUnit.QUOTE,
    "percentofequity": SizeUnit.EQUITY_PERCENT,
    "percentofposition": SizeUnit.POSITION_PERCENT,
}


def claims(fields: Fields) -> bool:
    """A TradersPost signal: a sentiment, a signal price, a quantity type, bracket objects, or
    an order type with its limit or stop price."""
    if "ordertype" in fields and ("limitprice" in fields or "stopprice" in fields):
        return True
    return any(name in _MARKS for name in fields.names())


def parse_traderspost(fields: Fields) -> ParsedAlert:
    """Parse a TradersPost signal or raise ValidationError with the reason."""
    symbol = fields.first("symbol", SYMBOL)
    action = fields.get("action")
    if symbol is None or action is None:
        raise ValidationError("TradersPost signal needs a ticker and an action")
    direction, said = _action(str(action), fields)
    resolution = resolve(fields, direction, said)
    # A stop-limit order triggers at stopPrice and fills at limitPrice: the limit is the entry.
    entry = next(
        (v for n in ("limitprice", "stopprice", "price") if (v := fields.get(n)) is not None),
        None,
    )
    signal_price = fields.get("signalprice")
    base, levels_from = (entry, "entry") if entry is not None else (signal_price, "price")
    side = resolution.side
    take_profit, stop, derived = _brackets(fields, base, side)
    qty = fields.first("quantity", ("quantity", "qty"))
    unit_name = str(fields.get("quantitytype") or "fixed_quantity")
    unit = _UNITS.get(unit_name.replace("_", "").lower())
    if unit is None:
        raise ValidationError(f"TradersPost quantityType {unit_name!r} is not supported")
    return build_parsed(
        symbol=symbol,
        direction=direction,
        format=FAMILY.name,
        intent=resolution.intent,
        side=side,
        entries=[entry] if entry is not None else [],
        take_profit=take_profit,
        stop_loss=stop,
        qty=qty,
        qty_unit=unit,
        levels_from=levels_from if derived else None,
    )


def _action(action: str, fields: Fields) -> tuple[Direction, Resolution | None]:
    word = action.strip().lower()
    if word == "add":
        sentiment = fields.first("sentiment", NOW)
        held = None if sentiment is None else parse_held(sentiment, "sentiment")
        if held is None or held.side is None:
            raise ValidationError("TradersPost 'add' needs a bullish or bearish sentiment")
        return (Direction.BUY if held.side is Side.LONG else Direction.SELL), None
    return parse_action(action)


def _brackets(fields: Fields, base: object, side: Side | None) -> tuple[list[object], object, bool]:
    derived = False
    levels: dict[str, object] = {}
    for kind, prefix, absolute in (
        ("tp", "takeprofit", "limitprice"),
        ("sl", "stoploss", "stopprice"),
    ):
        if fields.get(prefix + "pnlamount") is not None or fields.get(prefix + "trailpercent"):
            raise ValidationError(f"TradersPost {prefix} by profit or trail is not supported")
        if str(fields.get(prefix + "type") or "").lower() == "trailing_stop":
            raise ValidationError("TradersPost trailing stops are not supported")
        price = fields.get(prefix + absolute)
        for distance, percent in (
            (fields.get(prefix + "percent"), True),
            (fields.get(prefix + "amount"), False),
        ):
            if distance is None:
                continue
            if price is not None:
                raise ValidationError(f"TradersPost {prefix} gives both a price and a distance")
            if base is None or side is None:
                raise ValidationError(
                    f"TradersPost {prefix} {distance} is relative, but the signal has no entry"
                    " or signalPrice to measure it from"
                )
            price = level_from_distance(
                parse_positive(base, "entry"),
                parse_positive(distance, prefix),
                side=side,
                kind=kind,
                percent=percent,
            )
            derived = True
        levels[kind] = price
    return ([levels["tp"]] if levels["tp"] is not None else []), levels["sl"], derived


FAMILY = JsonFamily(name="traderspost", claims=claims, parse=parse_traderspost)
