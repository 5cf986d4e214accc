"""OctoBot's TradingView alert format (format ``octobot``): ``KEY=VALUE`` lines or ``;``-separated.

``EXCHANGE=binance`` ``SYMBOL=BTCUSDT`` ``SIGNAL=BUY|SELL`` and optionally ``ORDER_TYPE=MARKET|
LIMIT``, ``VOLUME`` (units, ``2%`` of the portfolio, ``12a%`` of the available holdings),
``PRICE``, ``STOP_PRICE``, ``TAKE_PROFIT_PRICE`` (or ``TAKE_PROFIT_PRICE_1``, ``_2``…),
``REDUCE_ONLY=true`` (an exit: SELL reduces a long by VOLUME, or closes it) and ``TAG``.
Prices relative to the market (``-5%``, ``100d``) are refused: the alert does not carry the
market price.
``SIGNAL=CANCEL`` is a bot command, not a trade signal.
"""

from __future__ import annotations

import re

from tradewire.alerts.intent import Resolution, check_order, not_a_signal, parse_action
from tradewire.alerts.levels import parse_size
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.numbers import parse_positive
from tradewire.alerts.registry import TextFamily
from tradewire.core.errors import ValidationError
from tradewire.core.events import Intent

_KNOWN = frozenset(
    {"EXCHANGE", "SYMBOL", "SIGNAL", "ORDER_TYPE", "VOLUME", "PRICE", "STOP_PRICE"}
    | {"TAKE_PROFIT_PRICE", "REDUCE_ONLY", "TAG", "LEVERAGE"}
)
_TAKE_PROFIT_N = re.compile(r"^TAKE_PROFIT_PRICE_(\d+)$")
_RELATIVE = re.compile(r"^\s*[+-]|[%d]\s*$", re.IGNORECASE)


def parse_octobot(body: str) -> ParsedAlert:
    """Parse an OctoBot alert or raise ValidationError with the reason."""
    values = _pairs(body)
    signal = values.get("SIGNAL")
    if signal is None:
        raise ValidationError("OctoBot alert has no SIGNAL=BUY or SIGNAL=SELL")
    if signal.strip().upper() == "CANCEL":
        raise not_a_signal("SIGNAL=CANCEL")
    symbol = values.get("SYMBOL")
    if symbol is None:
        raise ValidationError("OctoBot alert has no SYMBOL=")
    exchange = values.get("EXCHANGE")
    if exchange and ":" not in symbol:
        symbol = f"{exchange}:{symbol}"
    direction, said = parse_action(signal)
    order = direction.order_side
    resolution = said or Resolution(Intent.OPEN, order)
    reduce_only = values.get("REDUCE_ONLY", "false").strip().lower()
    if reduce_only not in ("true", "false"):
        raise ValidationError(f"OctoBot REDUCE_ONLY must be true or false, got {reduce_only!r}")
    if "LEVERAGE" in values:
        parse_positive(values["LEVERAGE"].rstrip("xX"), "LEVERAGE")
    if reduce_only == "true":
        # Reduce-only with a volume exits that much; without one, the whole position.
        intent = Intent.REDUCE if "VOLUME" in values else Intent.CLOSE
        resolution = Resolution(intent, order.opposite if order else None)
    check_order(resolution, order)
    order_type = values.get("ORDER_TYPE", "MARKET").strip().upper()
    if order_type not in ("MARKET", "LIMIT"):
        raise ValidationError(
            f"OctoBot ORDER_TYPE={order_type} places a standalone order, not a trade signal"
        )
    volume = values.get("VOLUME")
    size, unit = parse_size(volume, "VOLUME") if volume else (None, None)
    price = values.get("PRICE")
    return build_parsed(
        symbol=symbol,
        direction=direction,
        format=FAMILY.name,
        intent=resolution.intent,
        side=resolution.side,
        entries=[_price(price, "PRICE")] if price else [],
        take_profit=_take_profits(values),
        stop_loss=_price(values["STOP_PRICE"], "STOP_PRICE") if "STOP_PRICE" in values else None,
        qty=size,
        qty_unit=unit,
    )


def _pairs(body: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in re.split(r"[\n;]", body):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        key = key.strip().upper()
        if not sep:
            raise ValidationError(f"OctoBot line {line.strip()[:60]!r} is not KEY=VALUE")
        if key not in _KNOWN and not _TAKE_PROFIT_N.match(key):
            raise ValidationError(f"OctoBot key {key} is not supported")
        if key in values:
            raise ValidationError(f"OctoBot key {key} given twice")
        values[key] = value.strip()
    return values


def _take_profits(values: dict[str, str]) -> list[str]:
    numbered = sorted((int(m[1]), k) for k in values if (m := _TAKE_PROFIT_N.match(k)))
    levels = [values["TAKE_PROFIT_PRICE"]] if "TAKE_PROFIT_PRICE" in values else []
    return [_price(p, "TAKE_PROFIT_PRICE") for p in levels + [values[k] for _, k in numbered]]


def _price(value: str, key: str) -> str:
    if _RELATIVE.search(value):
        raise ValidationError(
            f"OctoBot {key}={value} is relative to the market price, which the alert does not"
            " carry; send an absolute price"
        )
    return value.lstrip("@")


FAMILY = TextFamily(
    name="octobot",
    signature=r"\s*(?:EXCHANGE|SYMBOL|SIGNAL|ORDER_TYPE|VOLUME|PRICE)\s*=",
    parse=parse_octobot,
)
