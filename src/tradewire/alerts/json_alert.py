"""JSON alerts with the field names people use in TradingView alert messages.

Keys are matched case-insensitively and without ``_``/``-``/``.``, so ``take_profit``,
``takeProfit`` and ``TakeProfit`` are one field; ``strategy.order.action`` is ``action``.
"""

from __future__ import annotations

import re
from typing import Any

from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.core.errors import ValidationError

_ALIASES: dict[str, tuple[str, ...]] = {
    "symbol": ("ticker", "symbol", "pair", "instrument", "market"),
    "direction": ("action", "side", "direction", "orderaction", "strategyorderaction", "signal"),
    "entry": ("price", "entry", "entryprice", "close", "limit", "limitprice"),
    "take_profit": ("tp", "takeprofit", "target", "targets", "tps", "takeprofits"),
    "stop_loss": ("sl", "stoploss", "stop", "stopprice"),
    "strategy": ("strategy", "strategyname", "strategyid"),
    "qty": ("qty", "quantity", "contracts", "size", "amount", "strategyordercontracts"),
    "external_id": ("id", "signalid", "fireid", "uid", "uuid", "alertid"),
}
_LOOKUP = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_NUMBERED_TP = re.compile(r"^(?:tp|takeprofit|target)(\d+)$")
SECRET_KEYS = frozenset({"passphrase", "secret", "webhooksecret", "key", "token"})


def fold_key(key: str) -> str:
    """Fold a JSON key for alias lookup."""
    return re.sub(r"[_\-.\s]", "", key).lower()


def passphrase_of(document: dict[str, Any]) -> str | None:
    """Return the shared secret a JSON alert carries, if any."""
    for key, value in document.items():
        if fold_key(key) in SECRET_KEYS and isinstance(value, str):
            return value
    return None


def parse_json_alert(document: object) -> ParsedAlert:
    """Parse a decoded JSON alert or raise ValidationError with the reason."""
    if not isinstance(document, dict):
        raise ValidationError(f"JSON alert must be an object, got {type(document).__name__}")
    fields: dict[str, Any] = {}
    numbered_tps: list[tuple[int, Any]] = []
    for key, value in document.items():
        folded = fold_key(str(key))
        numbered = _NUMBERED_TP.match(folded)
        if numbered:
            numbered_tps.append((int(numbered.group(1)), value))
            continue
        field = _LOOKUP.get(folded)
        if field is None or value is None or value == "":
            continue
        if field in fields and fields[field] != value:
            raise ValidationError(
                f"conflicting values for {field}: {fields[field]!r} and {value!r}"
            )
        fields[field] = value
    if "symbol" not in fields:
        raise ValidationError("JSON alert has no ticker, symbol or pair")
    if "direction" not in fields:
        raise ValidationError("JSON alert has no action, side or direction")
    take_profit = _as_list(fields.get("take_profit"))
    take_profit += [value for _, value in sorted(numbered_tps) if value not in (None, "")]
    return build_parsed(
        symbol=fields["symbol"],
        direction=fields["direction"],
        format="json",
        entry=fields.get("entry"),
        take_profit=take_profit,
        stop_loss=fields.get("stop_loss"),
        strategy=fields.get("strategy"),
        qty=fields.get("qty"),
        external_id=fields.get("external_id"),
    )


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and re.search(r"\d\s*[;/]\s*\d|\d,\s+\d|\d{4,},\d", value):
        return [part for part in re.split(r"\s*[,;/]\s*", value.strip()) if part]
    return [value]
