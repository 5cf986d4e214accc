"""3Commas bot messages (format ``3commas``).

Signal bot: ``tv_instrument`` (the ticker), ``tv_exchange``, ``action`` (``buy``/``sell`` from a
strategy, or ``enter_long``, ``exit_long``, ``enter_short``, ``exit_short``), ``trigger_price``
(the price when the alert fired, kept as the entry), ``strategy_info`` (the TradingView position
placeholders, read by the position rules) and ``order`` ``{amount, currency_type}`` with
currency type ``base`` (units), ``quote``, ``margin_percent`` or ``position_percent``.

DCA bot: ``message_type: bot`` with ``pair`` in 3Commas' ``QUOTE_BASE`` order; only
``action: close_at_market_price`` is a signal tradewire can represent (an exit). A start-deal
message trades the bot's own strategy and does not say long or short, so it is refused.
"""

from __future__ import annotations

from tradewire.alerts.families.positions import resolve
from tradewire.alerts.fields import Fields
from tradewire.alerts.intent import parse_action
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.registry import JsonFamily
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Intent, SizeUnit

_UNITS = {
    "base": SizeUnit.UNITS,
    "quote": SizeUnit.QUOTE,
    "marginpercent": SizeUnit.EQUITY_PERCENT,
    "positionpercent": SizeUnit.POSITION_PERCENT,
}


def claims(fields: Fields) -> bool:
    """A 3Commas signal-bot or DCA-bot message."""
    return "tvinstrument" in fields or "botuuid" in fields or "emailtoken" in fields


def parse_3commas(fields: Fields) -> ParsedAlert:
    """Parse a 3Commas message or raise ValidationError with the reason."""
    if "tvinstrument" not in fields:
        return _dca(fields)
    ticker = str(fields.get("tvinstrument"))
    exchange = fields.get("tvexchange")
    symbol = ticker if ":" in ticker or exchange is None else f"{exchange}:{ticker}"
    action = fields.get("action")
    if action is None:
        raise ValidationError("3Commas signal has no action")
    direction, said = parse_action(action)
    resolution = resolve(fields, direction, said)
    amount = fields.get("orderamount")
    unit = None
    if amount is not None:
        currency = str(fields.get("ordercurrencytype") or "base")
        unit = _UNITS.get(currency.replace("_", "").lower())
        if unit is None:
            raise ValidationError(f"3Commas order currency_type {currency!r} is not supported")
    price = fields.get("triggerprice")
    return build_parsed(
        symbol=symbol,
        direction=direction,
        format=FAMILY.name,
        intent=resolution.intent,
        side=resolution.side,
        entries=[price] if price is not None else [],
        qty=amount,
        qty_unit=unit,
    )


def _dca(fields: Fields) -> ParsedAlert:
    action = str(fields.get("action") or "start_deal")
    if action.replace("_", "").lower() != "closeatmarketprice":
        raise ValidationError(
            f"3Commas DCA bot message ({action}) trades the bot's own strategy and does not say"
            " long or short"
        )
    pair = fields.get("pair")
    if not isinstance(pair, str) or pair.count("_") != 1:
        raise ValidationError("3Commas DCA message needs a pair such as USDT_BTC")
    quote, base = pair.split("_")
    return build_parsed(
        symbol=f"{base}/{quote}",
        direction=Direction.CLOSE,
        format=FAMILY.name,
        intent=Intent.CLOSE,
    )


FAMILY = JsonFamily(name="3commas", claims=claims, parse=parse_3commas)
