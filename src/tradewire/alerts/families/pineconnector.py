"""PineConnector's comma syntax (format ``pineconnector``): ``LicenseID,command,symbol,key=value…``.

``60123456789,buy,AUDUSD,risk=0.1`` opens a long; ``closelong``/``closeshort`` exit a side,
``closeall`` exits whatever is open, ``closelongsell``/``closeshortbuy`` reverse. ``risk=`` is
kept as the size with unit ``risk``: what it means (lots, money, percent) is set in the
sender's MetaTrader bridge, not in the alert. For the same reason ``sl=``, ``tp=`` and ``price=``
(pips, price or percent by that setting) are refused rather than read as prices.
"""

from __future__ import annotations

import re

from tradewire.alerts.intent import Resolution, not_a_signal
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.registry import TextFamily
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Intent, Side, SizeUnit

_LONG, _SHORT = Side.LONG, Side.SHORT
_COMMANDS: dict[str, tuple[Direction, Resolution]] = {
    **{w: (Direction.BUY, Resolution(Intent.OPEN, _LONG)) for w in ("buy", "long", "bull")},
    **{w: (Direction.SELL, Resolution(Intent.OPEN, _SHORT)) for w in ("sell", "short", "bear")},
    "bullish": (Direction.BUY, Resolution(Intent.OPEN, _LONG)),
    "bearish": (Direction.SELL, Resolution(Intent.OPEN, _SHORT)),
    "closelong": (Direction.CLOSE, Resolution(Intent.CLOSE, _LONG)),
    "closeshort": (Direction.CLOSE, Resolution(Intent.CLOSE, _SHORT)),
    "closeall": (Direction.CLOSE, Resolution(Intent.CLOSE)),
    "closelongsell": (Direction.SELL, Resolution(Intent.REVERSE, _SHORT)),
    "closeshortbuy": (Direction.BUY, Resolution(Intent.REVERSE, _LONG)),
}
_NOT_SIGNALS = frozenset(
    {"cancellong", "cancelshort", "cancelall", "newsltplong", "newsltpshort", "eaon", "eaoff"}
)
_PENDING = frozenset({"buystop", "buylimit", "sellstop", "selllimit"})
_BRIDGE_UNITS = frozenset({"sl", "tp", "price"})
_IGNORED = frozenset({"comment", "spread", "accfilter", "secret"})
# Commas split the fields, except inside a quoted comment="a, b".
_PART = re.compile(r'\s*((?:[^,"]|"[^"]*")*)\s*(?:,|$)')


def parse_pineconnector(body: str) -> ParsedAlert:
    """Parse a PineConnector alert or raise ValidationError with the reason."""
    parts = [p for p in _PART.findall(body.strip()) if p]
    if len(parts) < 3:
        raise ValidationError("PineConnector alert needs LicenseID,command,symbol")
    _license, command, symbol, *others = parts
    command = command.strip()
    folded = command.lower()
    if folded in _NOT_SIGNALS:
        raise not_a_signal(command)
    if folded in _PENDING:
        raise ValidationError(
            f"PineConnector {command} is a pending order priced in the bridge's unit"
            " (pips, price or percent), which the alert does not say"
        )
    if folded not in _COMMANDS:
        raise ValidationError(f"unknown PineConnector command {command!r}")
    direction, resolution = _COMMANDS[folded]
    params: dict[str, str] = {}
    for part in others:
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise ValidationError(f"PineConnector parameter {part!r} is not key=value")
        if key in _BRIDGE_UNITS:
            raise ValidationError(
                f"PineConnector {key}={value.strip()} is in the bridge's target unit (pips, price"
                " or percent), which the alert does not say; send the level as a price in a"
                " JSON or text alert, or map it with an alert template"
            )
        if key not in _IGNORED and key != "risk":
            raise ValidationError(f"PineConnector parameter {key}= is not supported")
        params[key] = value.strip().strip('"')
    risk = params.get("risk")
    return build_parsed(
        symbol=symbol,
        direction=direction,
        format=FAMILY.name,
        intent=resolution.intent,
        side=resolution.side,
        qty=risk,
        qty_unit=SizeUnit.RISK,
        strategy=params.get("comment"),
    )


FAMILY = TextFamily(
    name="pineconnector",
    signature=r"\s*\d{5,}\s*,\s*[a-z]+\s*,",
    parse=parse_pineconnector,
)
