"""The result of parsing one alert, and the sanity rules every parsed alert must pass."""

from __future__ import annotations

from dataclasses import dataclass

from tradewire.alerts.numbers import parse_positive
from tradewire.alerts.symbols import SymbolInfo, normalise_symbol
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction

_DIRECTION_WORDS: dict[str, Direction] = {
    "long": Direction.LONG,
    "short": Direction.SHORT,
    "buy": Direction.BUY,
    "sell": Direction.SELL,
    "close": Direction.CLOSE,
    "exit": Direction.CLOSE,
    "flat": Direction.CLOSE,
}


@dataclass(frozen=True, slots=True)
class ParsedAlert:
    """A parsed, validated alert: what a Signal is built from."""

    symbol: SymbolInfo
    direction: Direction
    format: str
    entry: float | None = None
    take_profit: tuple[float, ...] = ()
    stop_loss: float | None = None
    strategy: str | None = None
    qty: float | None = None
    external_id: str | None = None


def parse_direction(value: object) -> Direction:
    """Map an action word (buy, SELL, Long, exit…) to a Direction or raise ValidationError."""
    if not isinstance(value, str):
        raise ValidationError(f"direction must be text, got {type(value).__name__}")
    direction = _DIRECTION_WORDS.get(value.strip().lower())
    if direction is None:
        raise ValidationError(
            f"unknown direction {value!r}: expected long, short, buy, sell, close or exit"
        )
    return direction


def build_parsed(
    *,
    symbol: object,
    direction: object,
    format: str,
    entry: object = None,
    take_profit: list[object] | tuple[object, ...] = (),
    stop_loss: object = None,
    strategy: object = None,
    qty: object = None,
    external_id: object = None,
) -> ParsedAlert:
    """Validate raw field values and return a ParsedAlert; raise ValidationError with a reason."""
    if not isinstance(symbol, str) or not symbol.strip():
        raise ValidationError("missing symbol (ticker, symbol or pair)")
    parsed = ParsedAlert(
        symbol=normalise_symbol(symbol),
        direction=parse_direction(direction),
        format=format,
        entry=None if entry is None else parse_positive(entry, "entry"),
        take_profit=tuple(parse_positive(tp, "take-profit") for tp in take_profit),
        stop_loss=None if stop_loss is None else parse_positive(stop_loss, "stop-loss"),
        strategy=_optional_text(strategy, "strategy", 200),
        qty=None if qty is None else parse_positive(qty, "qty"),
        external_id=_optional_text(external_id, "id", 200),
    )
    check_levels(parsed)
    return parsed


def check_levels(alert: ParsedAlert) -> None:
    """Reject take-profits and stops on the wrong side of the entry for the direction."""
    direction = alert.direction
    if direction is Direction.CLOSE:
        return
    bullish = direction.is_bullish
    word = direction.value
    if alert.entry is not None:
        for tp in alert.take_profit:
            if bullish and tp <= alert.entry:
                raise ValidationError(
                    f"{word} take-profit {tp:g} is not above entry {alert.entry:g}"
                )
            if not bullish and tp >= alert.entry:
                raise ValidationError(
                    f"{word} take-profit {tp:g} is not below entry {alert.entry:g}"
                )
        if alert.stop_loss is not None:
            if bullish and alert.stop_loss >= alert.entry:
                raise ValidationError(
                    f"{word} stop-loss {alert.stop_loss:g} is not below entry {alert.entry:g}"
                )
            if not bullish and alert.stop_loss <= alert.entry:
                raise ValidationError(
                    f"{word} stop-loss {alert.stop_loss:g} is not above entry {alert.entry:g}"
                )
    elif alert.stop_loss is not None:
        for tp in alert.take_profit:
            if bullish and tp <= alert.stop_loss:
                raise ValidationError(f"{word} take-profit {tp:g} is not above stop-loss")
            if not bullish and tp >= alert.stop_loss:
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
