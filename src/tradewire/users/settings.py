"""Each user's own trading settings: whether signals trade for it, which ones, and how.

Percentages, weights and distances are :class:`~decimal.Decimal` end to end. Changes go through
:meth:`UserSettings.updated`, which checks each value and says which field is wrong by the name
the API uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum

from tradewire.alerts.symbols import normalise_symbol
from tradewire.core.errors import ValidationError

MAX_STRATEGIES = 100
MAX_SYMBOLS = 500
MAX_STRATEGY_CHARS = 200
#: Finer steps than this mean nothing for a percentage and only invite absurd inputs.
MAX_DECIMAL_PLACES = 8
#: Take-profit levels a signal may share a position among (one weight each).
MAX_TAKE_PROFIT_WEIGHTS = 10
#: Weights are relative ([50, 30, 20] is [5, 3, 2]); a bound keeps their sums ordinary numbers.
MAX_WEIGHT = 1_000_000
#: A trailing distance in ticks beyond this is no trailing stop a trader means.
MAX_TRAIL_TICKS = 1_000_000


class OppositeSignal(StrEnum):
    """What an ``open`` signal against an open position does to it."""

    CLOSE = "close"
    REVERSE = "reverse"
    IGNORE = "ignore"


class TrailUnit(StrEnum):
    """How a trailing stop's distance is measured: percent of the best price, or ticks."""

    PERCENT = "percent"
    TICKS = "ticks"


@dataclass(frozen=True, slots=True)
class TrailingStopSetting:
    """A stop that follows the best price since entry, ``distance`` away (percent of that price
    or ticks); it only ever moves in the position's favour."""

    distance: Decimal
    unit: TrailUnit = TrailUnit.PERCENT

    def to_wire(self) -> dict[str, str]:
        return {"distance": format(self.distance, "f"), "unit": self.unit.value}


@dataclass(frozen=True, slots=True)
class Subscriptions:
    """The strategies and symbols a user follows; an empty list means every one."""

    strategies: tuple[str, ...] = ()
    #: Pairs as signals carry them (``BINANCE:BTCUSDT.P`` is saved as ``BTC/USDT``).
    symbols: tuple[str, ...] = ()

    @classmethod
    def of(cls, strategies: Iterable[object], symbols: Iterable[object]) -> Subscriptions:
        """Validate and normalise; duplicates are dropped, the first spelling kept."""
        kept: dict[str, str] = {}
        for strategy in strategies:
            if (
                not isinstance(strategy, str)
                or not strategy.strip()
                or len(strategy) > MAX_STRATEGY_CHARS
            ):
                raise ValidationError(
                    f"subscriptions.strategies: {str(strategy)[:60]!r} is not a strategy name "
                    f"(1-{MAX_STRATEGY_CHARS} characters)"
                )
            kept.setdefault(strategy.strip().lower(), strategy.strip())
        pairs: dict[str, None] = {}
        for symbol in symbols:
            if not isinstance(symbol, str):
                raise ValidationError(f"subscriptions.symbols: {symbol!r} is not a symbol")
            try:
                pairs[normalise_symbol(symbol).pair] = None
            except ValidationError as exc:
                raise ValidationError(f"subscriptions.symbols: {exc.message}") from exc
        if len(kept) > MAX_STRATEGIES or len(pairs) > MAX_SYMBOLS:
            raise ValidationError(
                f"subscriptions: at most {MAX_STRATEGIES} strategies and {MAX_SYMBOLS} symbols"
            )
        return cls(tuple(kept.values()), tuple(pairs))

    def to_wire(self) -> dict[str, list[str]]:
        return {"strategies": list(self.strategies), "symbols": list(self.symbols)}


@dataclass(frozen=True, slots=True)
class UserSettings:
    """A user's settings; the defaults are what a new user starts with."""

    paper_trade_enabled: bool = False
    real_trade_enabled: bool = False
    subscriptions: Subscriptions = Subscriptions()
    #: Percent of equity risked between entry and stop.
    risk_percent: Decimal = Decimal(2)
    #: Cap on a position's value (not its quantity) as a percent of equity.
    max_notional_percent: Decimal = Decimal(10)
    #: Stop distance (percent of the entry) for a signal without a stop; None rejects those.
    default_stop_percent: Decimal | None = None
    opposite_signal: OppositeSignal = OppositeSignal.CLOSE
    #: How a position is shared among a signal's take-profits, nearest first; empty (or a
    #: count that does not match the signal's levels): equal shares.
    take_profit_weights: tuple[Decimal, ...] = ()
    #: Move the stop to the entry once the first take-profit has filled.
    break_even_after_first_take_profit: bool = False
    #: None: the stop stays where the signal (or a break-even) put it.
    trailing_stop: TrailingStopSetting | None = None
    #: Percent of the position a ``reduce`` signal that gives no size takes off.
    reduce_percent: Decimal = Decimal(50)

    def updated(self, **changes: object) -> UserSettings:
        """Return these settings with ``changes`` (field names) applied, or raise
        ValidationError naming the first bad one.

        ``subscriptions`` is a mapping with ``strategies`` and/or ``symbols``; a list left out
        keeps its current value.
        """
        unknown = sorted(set(changes) - _FIELD_NAMES)
        if unknown:
            raise ValidationError(f"unknown settings fields: {', '.join(unknown)}")
        values: dict[str, object] = {}
        for name, value in changes.items():
            values[name] = _PARSERS[name](self, value)
        return replace(self, **values)

    def to_wire(self) -> dict[str, object]:
        """The settings as the API shows them: percentages as strings, exactly, in plain
        notation (``0.00000001``, never ``1E-8``)."""
        stop = self.default_stop_percent
        return {
            "paperTradeEnabled": self.paper_trade_enabled,
            "realTradeEnabled": self.real_trade_enabled,
            "subscriptions": self.subscriptions.to_wire(),
            "riskPercent": format(self.risk_percent, "f"),
            "maxNotionalPercent": format(self.max_notional_percent, "f"),
            "defaultStopPercent": None if stop is None else format(stop, "f"),
            "oppositeSignal": self.opposite_signal.value,
            "takeProfitWeights": [format(w, "f") for w in self.take_profit_weights],
            "breakEvenAfterFirstTakeProfit": self.break_even_after_first_take_profit,
            "trailingStop": None if self.trailing_stop is None else self.trailing_stop.to_wire(),
            "reducePercent": format(self.reduce_percent, "f"),
        }


#: Check one field's new value (given the current settings) and return it as stored.
Parser = Callable[["UserSettings", object], object]


def _flag(wire: str) -> Parser:
    def parse(_current: UserSettings, value: object) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(f"{wire} must be true or false")
        return value

    return parse


def _percent(wire: str, upper: int, *, below: bool = False, optional: bool = False) -> Parser:
    """A percentage more than 0 and at most ``upper`` (less than it, with ``below``)."""

    def parse(_current: UserSettings, value: object) -> Decimal | None:
        if value is None and optional:
            return None
        return _decimal(wire, value, upper, below=below, optional=optional)

    return parse


def _decimal(
    wire: str, value: object, upper: int, *, below: bool = False, optional: bool = False
) -> Decimal:
    """Return ``value`` (a Decimal, int or string) as a Decimal more than 0 and at most
    ``upper`` (less than it, with ``below``), or raise ValidationError naming ``wire``."""
    not_a_number = f"{wire} must be a decimal number" + " or null" * optional
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError(not_a_number)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except ArithmeticError:
        raise ValidationError(not_a_number) from None
    if not number.is_finite() or not 0 < number <= upper or (below and number == upper):
        bound = f"less than {upper}" if below else f"at most {upper}"
        raise ValidationError(f"{wire} must be more than 0 and {bound}")
    if -int(number.as_tuple().exponent) > MAX_DECIMAL_PLACES:
        raise ValidationError(f"{wire} has more than {MAX_DECIMAL_PLACES} decimal places")
    # Plain notation: 1E+1 is kept as 10.
    return Decimal(format(number, "f"))


def _subscriptions(current: UserSettings, value: object) -> Subscriptions:
    if not isinstance(value, Mapping):
        raise ValidationError('subscriptions must be {"strategies": [...], "symbols": [...]}')
    unknown = sorted(set(value) - {"strategies", "symbols"})
    if unknown:
        raise ValidationError(f"subscriptions: unknown fields {', '.join(map(str, unknown))}")
    lists = {}
    for key in ("strategies", "symbols"):
        given = value.get(key, getattr(current.subscriptions, key))
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            raise ValidationError(f"subscriptions.{key} must be a list")
        lists[key] = given
    return Subscriptions.of(lists["strategies"], lists["symbols"])


def _opposite(_current: UserSettings, value: object) -> OppositeSignal:
    try:
        return OppositeSignal(value)
    except ValueError:
        choices = ", ".join(o.value for o in OppositeSignal)
        raise ValidationError(f"oppositeSignal must be one of {choices}") from None


def _weights(_current: UserSettings, value: object) -> tuple[Decimal, ...]:
    wire = "takeProfitWeights"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError(f"{wire} must be a list of positive numbers (empty: equal shares)")
    weights = list(value)
    if len(weights) > MAX_TAKE_PROFIT_WEIGHTS:
        raise ValidationError(f"{wire} has at most {MAX_TAKE_PROFIT_WEIGHTS} weights")
    return tuple(_decimal(f"{wire}[{n}]", w, MAX_WEIGHT) for n, w in enumerate(weights))


def _trailing(_current: UserSettings, value: object) -> TrailingStopSetting | None:
    wire = "trailingStop"
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"distance", "unit"}:
        raise ValidationError(
            f'{wire} must be null or {{"distance": number, "unit": "percent" or "ticks"}}'
        )
    try:
        unit = TrailUnit(value["unit"])
    except ValueError:
        choices = ", ".join(u.value for u in TrailUnit)
        raise ValidationError(f"{wire}.unit must be one of {choices}") from None
    if unit is TrailUnit.PERCENT:
        # A long's stop 100 % below the best price would be at zero.
        distance = _decimal(f"{wire}.distance", value["distance"], 100, below=True)
    else:
        distance = _decimal(f"{wire}.distance", value["distance"], MAX_TRAIL_TICKS)
    return TrailingStopSetting(distance, unit)


_PARSERS: dict[str, Parser] = {
    "paper_trade_enabled": _flag("paperTradeEnabled"),
    "real_trade_enabled": _flag("realTradeEnabled"),
    "subscriptions": _subscriptions,
    "risk_percent": _percent("riskPercent", 100),
    "max_notional_percent": _percent("maxNotionalPercent", 1000),
    # A long's stop 100 % below its entry would be at zero.
    "default_stop_percent": _percent("defaultStopPercent", 100, below=True, optional=True),
    "opposite_signal": _opposite,
    "take_profit_weights": _weights,
    "break_even_after_first_take_profit": _flag("breakEvenAfterFirstTakeProfit"),
    "trailing_stop": _trailing,
    "reduce_percent": _percent("reducePercent", 100),
}
_FIELD_NAMES = frozenset(f.name for f in fields(UserSettings))
