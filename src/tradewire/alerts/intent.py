"""What an order does to the position: open, close, reduce or reverse, and on which side.

Every family reads its action word with :func:`parse_action` and its position fields with
:func:`from_positions` (or :func:`from_new_size` for TradingView's default strategy message),
then joins what each source says with :func:`agree`. Sources that contradict each other
reject the alert: an exit is never guessed into an entry.

Position rules, for an order that buys (or sells) with the position before (``prev``) and
after (``now``) it: flat → X opens X; X → flat closes X; X → X opens (adds) when the order is
on X's side and reduces X when it is not; X → not-X reverses. With only ``prev``: an order
against X closes X. With only ``now``: flat closes the side the order sells out of; an order
leaving the opposite side reduces it; an order ending on its own side opens it, or reverses
when the order was larger than the position it left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Intent, Side


class Held(StrEnum):
    """A position as a strategy reports it."""

    LONG = "long"
    SHORT = "short"
    FLAT = "flat"

    @property
    def side(self) -> Side | None:
        return None if self is Held.FLAT else Side(self.value)


@dataclass(frozen=True, slots=True)
class Resolution:
    """An intent, with the side opened or exited (None: an exit that names no side)."""

    intent: Intent
    side: Side | None = None


_HELD_WORDS = {
    "long": Held.LONG,
    "bullish": Held.LONG,
    "short": Held.SHORT,
    "bearish": Held.SHORT,
    "flat": Held.FLAT,
    "none": Held.FLAT,
}

_ENTRY, _EXIT = Intent.OPEN, Intent.CLOSE
# Action words folded to letters only: the direction as the alert says it, and what the word
# itself says the order does (None: the word alone does not say).
_ACTIONS: dict[str, tuple[Direction, Resolution | None]] = {
    "buy": (Direction.BUY, None),
    "sell": (Direction.SELL, None),
    "long": (Direction.LONG, None),
    "short": (Direction.SHORT, None),
    "bull": (Direction.LONG, None),
    "bullish": (Direction.LONG, None),
    "bear": (Direction.SHORT, None),
    "bearish": (Direction.SHORT, None),
    **{
        word: (Direction.CLOSE, Resolution(_EXIT))
        for word in ("close", "exit", "flat", "flatten", "closeall", "exitall", "closeposition")
    },
    **{
        word: (Direction.CLOSE, Resolution(_EXIT, Side.LONG))
        for word in ("closelong", "exitlong", "longexit", "longclose", "closebuy", "exitbuy")
    },
    **{
        word: (Direction.CLOSE, Resolution(_EXIT, Side.SHORT))
        for word in ("closeshort", "exitshort", "shortexit", "shortclose", "closesell", "cover")
    },
    **{
        word: (Direction.LONG, Resolution(_ENTRY, Side.LONG))
        for word in ("enterlong", "openlong", "longentry", "entrylong", "buylong")
    },
    **{
        word: (Direction.SHORT, Resolution(_ENTRY, Side.SHORT))
        for word in ("entershort", "openshort", "shortentry", "entryshort", "sellshort")
    },
}
# Words of bot commands that manage a bot or its orders rather than trade.
_COMMANDS = frozenset(
    {"cancel", "cancelall", "cancelorders", "status", "ping", "eaon", "eaoff", "pause", "resume"}
)
_FOLD = re.compile(r"[^a-z]")
_WORD = {Side.LONG: "buy", Side.SHORT: "sell"}


def fold_word(value: str) -> str:
    """Fold an action word: ``Exit_Long``, ``exit-long`` and ``EXIT LONG`` are one."""
    return _FOLD.sub("", value.lower())


def parse_action(value: object) -> tuple[Direction, Resolution | None]:
    """Read an action word (buy, SELL, exit_long, CloseShort…) or raise ValidationError."""
    if not isinstance(value, str):
        raise ValidationError(f"direction must be text, got {type(value).__name__}")
    folded = fold_word(value)
    found = _ACTIONS.get(folded)
    if found is not None:
        return found
    if folded in _COMMANDS:
        raise not_a_signal(value)
    raise ValidationError(
        f"unknown direction {value!r}: expected long, short, buy, sell, close or exit"
    )


def not_a_signal(command: str) -> ValidationError:
    """The rejection of a bot command (cancel, status…) that is not a trade signal."""
    return ValidationError(
        f"{command.strip()!r} is a bot command, not a trade signal: nothing to open or close"
    )


def parse_held(value: object, field: str) -> Held:
    """Read a reported position (long, short, flat; bullish, bearish) or raise."""
    held = _HELD_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
    if held is None:
        raise ValidationError(f"{field} must be long, short or flat, got {value!r}")
    return held


def from_positions(
    order: Side,
    *,
    prev: Held | None = None,
    now: Held | None = None,
    contracts: float | None = None,
    now_size: float | None = None,
) -> Resolution | None:
    """Apply the position rules (module docstring); None when no position is known."""
    if prev is not None and now is not None:
        return _from_both(order, prev, now)
    if prev is not None:
        if prev is Held.FLAT or prev.side is order:
            return Resolution(Intent.OPEN, order)
        return Resolution(Intent.CLOSE, prev.side)
    if now is None:
        return None
    if now is Held.FLAT:
        return Resolution(Intent.CLOSE, order.opposite)
    if now.side is not order:
        return Resolution(Intent.REDUCE, now.side)
    if contracts is not None and now_size is not None and 0 < now_size < contracts:
        return Resolution(Intent.REVERSE, order)
    return Resolution(Intent.OPEN, order)


def from_new_size(order: Side, contracts: float, new_size: float) -> Resolution:
    """Resolve a fill from its size and the signed position after it (TradingView's
    ``strategy.position_size``: positive long, negative short)."""
    filled = contracts if order is Side.LONG else -contracts
    before = new_size - filled
    return _from_both(order, _held(before), _held(new_size))


def agree(first: Resolution | None, second: Resolution | None, why: str) -> Resolution | None:
    """Join two readings of one alert; raise ValidationError (with ``why``) if they clash.

    A close and a reduce agree (the finer one is kept), as do a side and no side.
    """
    if first is None or second is None:
        return first or second
    if first.side and second.side and first.side is not second.side:
        raise ValidationError(f"{why}: one says {first.side.value}, the other {second.side.value}")
    if first.intent.is_exit != second.intent.is_exit:
        raise ValidationError(
            f"{why}: one says {first.intent.value}, the other {second.intent.value}"
        )
    intent = first.intent
    if second.intent in (Intent.REDUCE, Intent.REVERSE):
        intent = second.intent
    return Resolution(intent, first.side or second.side)


def check_order(resolution: Resolution, order: Side | None) -> None:
    """Reject an order whose side cannot do what the resolution says (buying to close a long)."""
    if order is None or resolution.side is None or order is _order_side(resolution):
        return
    raise ValidationError(
        f"a {_WORD[order]} order cannot {resolution.intent.value} a {resolution.side.value}"
    )


def _order_side(resolution: Resolution) -> Side | None:
    """The side an order must take to do what ``resolution`` says."""
    side = resolution.side
    if side is None or resolution.intent in (Intent.OPEN, Intent.REVERSE):
        return side
    return side.opposite


def _from_both(order: Side, prev: Held, now: Held) -> Resolution:
    if prev is now is Held.FLAT:
        raise ValidationError("the position is flat before and after the order")
    if prev is Held.FLAT:
        resolution = Resolution(Intent.OPEN, now.side)
    elif now is Held.FLAT:
        resolution = Resolution(Intent.CLOSE, prev.side)
    elif prev is now:
        intent = Intent.OPEN if order is prev.side else Intent.REDUCE
        resolution = Resolution(intent, prev.side)
    else:
        resolution = Resolution(Intent.REVERSE, now.side)
    if order is not _order_side(resolution):
        raise ValidationError(
            f"a {_WORD[order]} order cannot take a position from {prev.value} to {now.value}"
        )
    return resolution


def _held(size: float) -> Held:
    if size > 0:
        return Held.LONG
    return Held.SHORT if size < 0 else Held.FLAT


_SIDE_WORD = {"long": Side.LONG, "buy": Side.LONG, "short": Side.SHORT, "sell": Side.SHORT}
_WORD_RULES: tuple[tuple[re.Pattern[str], Intent], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), intent)
    for pattern, intent in (
        (
            r"\b(?:reverse|reversal|flip)\b(?:[\s_-]*(?:to[\s_-]*)?(?P<side>long|short)\b)?",
            Intent.REVERSE,
        ),
        (r"\b(?:close|exit|flatten|cover)[\s_-]*(?P<side>long|short|buy|sell)\b", Intent.CLOSE),
        (r"\b(?P<side>long|short)[\s_-]*(?:close|exit)\b", Intent.CLOSE),
        (r"\b(?:partial|reduce|scale[\s_-]?out|trim)\b", Intent.REDUCE),
        (
            r"\b(?:tp\d*|take[\s_-]?profit[\s_-]*\d*|target[\s_-]*\d+)\b.*?"
            r"\b(?:hit|reached|filled|achieved|done)\b",
            Intent.REDUCE,
        ),
        (
            r"\b(?:sl|stop[\s_-]?loss|stop)\b.*?\b(?:hit|triggered)\b|\bstopped\s+out\b",
            Intent.CLOSE,
        ),
        (r"\b(?:close|closed|exit|exited|flatten)\b", Intent.CLOSE),
        (r"\b(?:entry|enter|open)\b(?:[\s_-]*(?P<side>long|short|buy|sell)\b)?", Intent.OPEN),
    )
)


def from_words(text: str) -> Resolution | None:
    """Read what a comment or label says the order does (``Exit Long``, ``TP1 hit``,
    ``long_entry``); None when it says nothing about it."""
    text = text.replace("_", " ")  # ``long_entry``: an underscore is no word boundary
    for pattern, intent in _WORD_RULES:
        match = pattern.search(text)
        if match:
            side = match.groupdict().get("side")
            return Resolution(intent, _SIDE_WORD[side.lower()] if side else None)
    return None
