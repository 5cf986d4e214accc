"""An index of trigger prices per symbol, so a price event costs O(log n + triggered).

Each symbol keeps two sorted lists of ``(level, seq)``: triggers that fire when the price rises
to their level (a long's take-profit, a short's stop, a buy stop) and triggers that fire when it
falls to it (a long's stop, a short's take-profit, a buy limit). A move over ``[low, high]``
fires a prefix of the first list and a suffix of the second, found by bisection; nothing else is
looked at. A tick is a move with ``low == high``; a bar, or a jump from the last price, is wider.

Trailing stops keep a second index by watermark (the best price since they were set), so a new
high ratchets only the stops whose watermark it beats, and a price that is not a new extreme
costs one bisection. A stop only ever moves in the position's favour.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from itertools import count
from typing import Generic, TypeVar

from tradewire.trading.money import HUNDRED, round_to_step

K = TypeVar("K", bound=Hashable)
_AFTER_ALL = float("inf")  # a seq above every real one, for bisecting past equal levels


class Cross(StrEnum):
    """Which way the price must go to fire a trigger."""

    #: Fires when the price trades at or above the level.
    UP = "up"
    #: Fires when the price trades at or below the level.
    DOWN = "down"


@dataclass(frozen=True, slots=True, kw_only=True)
class Trail:
    """A trailing distance: ``distance`` percent of the watermark, or in price units (ticks ×
    tick size); levels are rounded to ``tick`` toward the watermark (a tighter stop)."""

    distance: Decimal
    percent: bool
    tick: Decimal

    def level(self, watermark: Decimal, cross: Cross) -> Decimal:
        """Return the stop trailing ``watermark``: below it for a long's stop (DOWN), above it
        for a short's (UP)."""
        offset = watermark * self.distance / HUNDRED if self.percent else self.distance
        if cross is Cross.DOWN:
            return round_to_step(watermark - offset, self.tick, ROUND_CEILING)
        return round_to_step(watermark + offset, self.tick, ROUND_FLOOR)


@dataclass(frozen=True, slots=True)
class Hit(Generic[K]):
    """A trigger a price move crossed (and removed from the index)."""

    key: K
    level: Decimal
    cross: Cross


@dataclass(slots=True)
class _Entry(Generic[K]):
    key: K
    symbol: str
    cross: Cross
    level: Decimal
    seq: int
    trail: Trail | None = None
    watermark: Decimal | None = None


@dataclass(slots=True)
class _Book:
    up: list[tuple[Decimal, int]] = field(default_factory=list)
    down: list[tuple[Decimal, int]] = field(default_factory=list)
    #: Trailing DOWN triggers (longs' stops) by watermark: a higher price ratchets a prefix.
    trail_highs: list[tuple[Decimal, int]] = field(default_factory=list)
    #: Trailing UP triggers (shorts' stops) by watermark: a lower price ratchets a suffix.
    trail_lows: list[tuple[Decimal, int]] = field(default_factory=list)

    def levels(self, cross: Cross) -> list[tuple[Decimal, int]]:
        return self.up if cross is Cross.UP else self.down

    def marks(self, cross: Cross) -> list[tuple[Decimal, int]]:
        return self.trail_lows if cross is Cross.UP else self.trail_highs


def _discard(keys: list[tuple[Decimal, int]], item: tuple[Decimal, int]) -> None:
    del keys[bisect_left(keys, item)]


class TriggerIndex(Generic[K]):
    """Trigger prices by symbol and direction; each trigger is named by a unique ``key``."""

    def __init__(self) -> None:
        self._books: dict[str, _Book] = {}
        self._entries: dict[int, _Entry[K]] = {}
        self._seq_of: dict[K, int] = {}
        self._seq = count()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._seq_of

    def level(self, key: K) -> Decimal:
        """Return the level of the trigger ``key``."""
        return self._entries[self._seq_of[key]].level

    def add(
        self,
        key: K,
        symbol: str,
        level: Decimal,
        cross: Cross,
        *,
        trail: Trail | None = None,
        watermark: Decimal | None = None,
    ) -> None:
        """Add a trigger; a trailing one also needs the ``watermark`` it trails from."""
        if key in self._seq_of:
            raise ValueError(f"trigger {key!r} exists already")
        if trail is not None and watermark is None:
            raise ValueError("a trailing trigger needs a watermark")
        entry = _Entry(key, symbol, cross, level, next(self._seq), trail, watermark)
        self._entries[entry.seq] = entry
        self._seq_of[key] = entry.seq
        book = self._books.setdefault(symbol, _Book())
        insort(book.levels(cross), (level, entry.seq))
        if trail is not None:
            insort(book.marks(cross), (watermark, entry.seq))

    def remove(self, key: K) -> bool:
        """Remove the trigger ``key``; return whether it was there."""
        seq = self._seq_of.pop(key, None)
        if seq is None:
            return False
        entry = self._entries.pop(seq)
        book = self._books[entry.symbol]
        _discard(book.levels(entry.cross), (entry.level, seq))
        if entry.trail is not None:
            _discard(book.marks(entry.cross), (entry.watermark, seq))
        return True

    def move(self, key: K, level: Decimal) -> None:
        """Put the trigger ``key`` at ``level``."""
        entry = self._entries[self._seq_of[key]]
        self._relevel(entry, level)

    def crossed(self, symbol: str, low: Decimal, high: Decimal) -> list[Hit[K]]:
        """Remove and return every trigger of ``symbol`` a move over ``[low, high]`` fires:
        UP triggers at or below ``high``, DOWN triggers at or above ``low``."""
        book = self._books.get(symbol)
        if book is None:
            return []
        cut_up = bisect_right(book.up, (high, _AFTER_ALL))
        cut_down = bisect_left(book.down, (low, -1))
        if not cut_up and cut_down == len(book.down):
            return []
        fired = book.up[:cut_up] + book.down[cut_down:]
        del book.up[:cut_up]
        del book.down[cut_down:]
        hits: list[Hit[K]] = []
        for _, seq in fired:
            entry = self._entries.pop(seq)
            del self._seq_of[entry.key]
            if entry.trail is not None:
                _discard(book.marks(entry.cross), (entry.watermark, seq))
            hits.append(Hit(entry.key, entry.level, entry.cross))
        return hits

    def watches(self, symbol: str) -> bool:
        """Return whether any trigger is set on ``symbol``."""
        book = self._books.get(symbol)
        return book is not None and bool(book.up or book.down)

    def next_level(self, symbol: str, start: Decimal, end: Decimal) -> Decimal | None:
        """Return the first trigger level a move from ``start`` to ``end`` reaches after
        leaving ``start`` (rising: the lowest UP level in ``(start, end]``; falling: the
        highest DOWN level in ``[end, start)``), or None. A bar is walked level by level
        with it, so each trigger fires at its own price rather than at the bar's extreme."""
        book = self._books.get(symbol)
        if book is None or start == end:
            return None
        if end > start:
            i = bisect_right(book.up, (start, _AFTER_ALL))
            if i < len(book.up) and book.up[i][0] <= end:
                return book.up[i][0]
            return None
        i = bisect_left(book.down, (start, -1))
        if i and book.down[i - 1][0] >= end:
            return book.down[i - 1][0]
        return None

    def ratchet(self, symbol: str, price: Decimal) -> list[tuple[K, Decimal]]:
        """Let trailing stops of ``symbol`` follow ``price`` where it is a new extreme for them;
        return ``(key, new level)`` for each stop that moved.

        A stop's level is the best of its trail from every price it has seen, so only the
        levels matter: a watermark is a shortcut to skip stops a price cannot move."""
        book = self._books.get(symbol)
        if book is None or not (book.trail_highs or book.trail_lows):
            return []
        moved: list[tuple[K, Decimal]] = []
        beaten = book.trail_highs[: bisect_left(book.trail_highs, (price, -1))]
        if beaten:
            del book.trail_highs[: len(beaten)]
            moved += self._follow(beaten, book.trail_highs, price)
        cut = bisect_right(book.trail_lows, (price, _AFTER_ALL))
        beaten = book.trail_lows[cut:]
        if beaten:
            del book.trail_lows[cut:]
            moved += self._follow(beaten, book.trail_lows, price)
        return moved

    def _follow(
        self, beaten: list[tuple[Decimal, int]], marks: list[tuple[Decimal, int]], price: Decimal
    ) -> list[tuple[K, Decimal]]:
        moved: list[tuple[K, Decimal]] = []
        for _, seq in beaten:
            entry = self._entries[seq]
            entry.watermark = price
            insort(marks, (price, seq))
            assert entry.trail is not None  # only trailing entries are in the marks lists
            level = entry.trail.level(price, entry.cross)
            better = level > entry.level if entry.cross is Cross.DOWN else level < entry.level
            if better:
                self._relevel(entry, level)
                moved.append((entry.key, level))
        return moved

    def _relevel(self, entry: _Entry[K], level: Decimal) -> None:
        keys = self._books[entry.symbol].levels(entry.cross)
        _discard(keys, (entry.level, entry.seq))
        entry.level = level
        insort(keys, (level, entry.seq))
