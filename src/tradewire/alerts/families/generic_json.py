"""JSON alerts with the field names people use in TradingView alert messages (format ``json``).

The fallback for JSON no other family claims. Names (folded: any case, ``_``/``-``/``.``
ignored, nested objects flattened): ``ticker|symbol|pair``; ``action|side|direction|
order_action|signal``; ``price|entry|entryPrice|order_price|close|limitPrice``;
``tp|takeProfit|takeProfitPrice|tp_price|targets`` (a value, a list, or ``tp1``, ``tp2``…);
``sl|stopLoss|stopPrice|sl_price``; ``strategy``; ``qty|quantity|contracts|size|amount``;
an explicit ``id|signal_id|fire_id``. What the order does to the position comes from the
action and the position fields (:mod:`tradewire.alerts.families.positions`).
"""

from __future__ import annotations

import re

from tradewire.alerts.families.positions import resolve
from tradewire.alerts.fields import Fields
from tradewire.alerts.intent import parse_action
from tradewire.alerts.levels import parse_size
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.core.errors import ValidationError

SYMBOL = ("ticker", "symbol", "pair", "instrument", "market")
ACTION = ("action", "side", "direction", "orderaction", "strategyorderaction", "signal", "order")
ENTRY = (
    "price",
    "entry",
    "entryprice",
    "orderprice",
    "strategyorderprice",
    "close",
    "limit",
    "limitprice",
)
TAKE_PROFIT = ("tp", "takeprofit", "takeprofitprice", "tpprice", "target", "targets", "tps")
STOP_LOSS = ("sl", "stoploss", "stop", "stopprice", "stoplossprice", "slprice")
STRATEGY = ("strategy", "strategyname", "strategyid")
QTY = ("qty", "quantity", "contracts", "size", "amount", "strategyordercontracts")
EXTERNAL_ID = ("id", "signalid", "fireid", "uid", "uuid", "alertid")
_NUMBERED_TP = re.compile(r"^(?:tp|takeprofit|target)(\d+)(?:price)?$")


def parse_generic(fields: Fields) -> ParsedAlert:
    """Parse a JSON alert by its field names or raise ValidationError with the reason."""
    symbol = fields.first("symbol", SYMBOL)
    if symbol is None:
        raise ValidationError("JSON alert has no ticker, symbol or pair")
    action = fields.first("action", ACTION)
    if action is None:
        raise ValidationError("JSON alert has no action, side or direction")
    direction, said = parse_action(action)
    resolution = resolve(fields, direction, said)
    qty = fields.first("qty", QTY)
    size, unit = parse_size(qty) if qty is not None else (None, None)
    entry = fields.first("entry", ENTRY)
    return build_parsed(
        symbol=symbol,
        direction=direction,
        format="json",
        intent=resolution.intent,
        side=resolution.side,
        entries=as_list(entry),
        take_profit=take_profits(fields),
        stop_loss=fields.first("stop-loss", STOP_LOSS),
        strategy=fields.first("strategy", STRATEGY),
        qty=size,
        qty_unit=unit,
        external_id=fields.first("id", EXTERNAL_ID),
    )


def take_profits(fields: Fields) -> list[object]:
    """Every take-profit: a value or list under one name, then ``tp1``, ``tp2``… in order."""
    levels = as_list(fields.first("take-profit", TAKE_PROFIT))
    numbered = sorted(
        (int(match.group(1)), name)
        for name in fields.names()
        if (match := _NUMBERED_TP.match(name))
    )
    levels += [value for _, name in numbered if (value := fields.get(name)) is not None]
    return levels


def as_list(value: object) -> list[object]:
    """A value or a list of values; ``"46000, 47000"`` and ``"46000/47000"`` are two."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and re.search(r"\d\s*[;/]\s*\d|\d,\s+\d|\d{4,},\d", value):
        return [part for part in re.split(r"\s*[,;/]\s*", value.strip()) if part]
    return [value]
