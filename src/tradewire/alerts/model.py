"""The result of parsing one alert, and the sanity rules every parsed alert must pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tradewire.alerts.numbers import parse_positive
from tradewire.alerts.symbols import SymbolInfo, normalise_symbol
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Intent, Side, SizeUnit


@dataclass(frozen=True, slots=True)
class ParsedAlert:
    """A parsed, validated alert: what a Signal is built from.

    ``direction`` is the alert's own word; ``intent`` and ``side`` say what the order does to
    the position (``side`` is the position opened, or exited; None for an exit that does not
    name its side). ``entries`` holds every entry price given, first one first.
    """

    symbol: SymbolInfo
    direction: Direction
    format: str
    intent: Intent = Intent.OPEN
    side: Side | None = None
    entries: tuple[float, ...] = ()
    take_profit: tuple[float, ...] = ()
    stop_loss: float | None = None
    strategy: str | None = None
    qty: float | None = None
    qty_unit: SizeUnit | None = None
    levels_from: str | None = None
    external_id: str | None = None

    @property
    def entry(self) -> float | None:
        return self.entries[0] if self.entries else None


def build_parsed(
    *,
    symbol: object,
    direction: Direction,
    format: str,
    intent: Intent | None = None,
    side: Side | None = None,
    entries: Sequence[object] = (),
    take_profit: Sequence[object] = (),
    stop_loss: object = None,
    strategy: object = None,
    qty: object = None,
    qty_unit: SizeUnit | None = None,
    levels_from: str | None = None,
    external_id: object = None,
) -> ParsedAlert:
    """Validate raw field values and return a ParsedAlert; raise ValidationError with a reason.

    Without an explicit ``intent``, the direction decides: CLOSE exits (side unknown), any
    other direction opens on its side. An exit of less than 100 % of the position reduces.
    """
    if not isinstance(symbol, str) or not symbol.strip():
        raise ValidationError("missing symbol (ticker, symbol or pair)")
    if intent is None:
        intent = Intent.CLOSE if direction is Direction.CLOSE else Intent.OPEN
        side = side or direction.order_side
    if intent in (Intent.OPEN, Intent.REVERSE) and side is None:
        raise ValidationError(f"{intent.value} signal does not say long or short")
    quantity = None if qty is None else parse_positive(qty, "quantity")
    if intent is Intent.CLOSE and qty_unit is SizeUnit.POSITION_PERCENT and quantity:
        # Exiting less than all of the position is a reduce.
        intent = Intent.REDUCE if quantity < 100 else intent
    parsed = ParsedAlert(
        symbol=normalise_symbol(symbol),
        direction=direction,
        format=format,
        intent=intent,
        side=side,
        entries=tuple(parse_positive(price, "entry") for price in entries),
        take_profit=tuple(parse_positive(tp, "take-profit") for tp in take_profit),
        stop_loss=None if stop_loss is None else parse_positive(stop_loss, "stop-loss"),
        strategy=_optional_text(strategy, "strategy", 200),
        qty=quantity,
        qty_unit=None if quantity is None else qty_unit or SizeUnit.UNITS,
        levels_from=levels_from,
        external_id=_optional_text(external_id, "id", 200),
    )
    check_size(parsed)
    check_levels(parsed)
    return parsed


def check_size(alert: ParsedAlert) -> None:
    """Reject a percentage size over 100, and a share of the position on an entry."""
    unit = alert.qty_unit
    if alert.qty is None or unit in (None, SizeUnit.UNITS, SizeUnit.QUOTE, SizeUnit.RISK):
        return
    if alert.qty > 100:
        raise ValidationError(f"size {alert.qty:g}% is more than 100%")
    if unit is SizeUnit.POSITION_PERCENT and alert.intent is Intent.OPEN:
        raise ValidationError("an entry cannot be sized as a percent of the position")


def check_levels(alert: ParsedAlert) -> None:
    """Reject take-profits and stops on the wrong side of the entries for the side entered.

    Exits are not checked: their prices are where to get out, not a bracket around an entry.
    """
    if alert.intent.is_exit or alert.side is None:
        return
    long = alert.side is Side.LONG
    word = alert.side.value
    if alert.entries:
        low, high = min(alert.entries), max(alert.entries)
        for tp in alert.take_profit:
            if long and tp <= high:
                raise ValidationError(f"{word} take-profit {tp:g} is not above entry {high:g}")
            if not long and tp >= low:
                raise ValidationError(f"{word} take-profit {tp:g} is not below entry {low:g}")
        stop = alert.stop_loss
        if stop is not None and long and stop >= low:
            raise ValidationError(f"{word} stop-loss {stop:g} is not below entry {low:g}")
        if stop is not None and not long and stop <= high:
            raise ValidationError(f"{word} stop-loss {stop:g} is not above entry {high:g}")
    elif alert.stop_loss is not None:
        for tp in alert.take_profit:
            if long and tp <= alert.stop_loss:
                raise ValidationError(f"{word} take-profit {tp:g} is not above stop-loss")
            if not long and tp >= alert.stop_loss:
                raise ValidationError(f"{word} take-profit {tp:g} is not below stop-loss")


def _optional_text(value: object, field: str, max_len: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(f"{field} must be text")
    text = str(value).strip()
    if len(text) > max_len:
        raise ValidationError(f"{field} is longer than {max_len} characters")
    return text or None
