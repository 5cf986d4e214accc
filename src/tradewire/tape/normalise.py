"""Normalise captured prints into stored rows, and the identity rule that suppresses duplicates.

Identity
--------
The same print reaches us many times: the page is re-scanned every second and re-sends the rows
still on screen, virtualised rows are recycled, the userscript and the browser session may both
capture one page, a source retries a batch it got no answer for. Those copies must collapse into
one row. But Time & Sales also shows *genuinely different* prints that look identical — the same
millisecond, price and size (one aggressive order filling against several resting orders) — and
every one of them is real volume that must be kept.

What tells two identical-looking prints apart is ``accumulatedVolume``: it is the running total
of the tape, so each print has its own value, while every copy of one print carries the same.
Hence:

* ``market_id = stable_id(symbol, ts_ns, price, size, accumulatedVolume, ordinal)`` identifies
  the print in the market. ``ts_ns`` is the UTC instant (not the page text, so a display time
  and an ISO ``wrap1[value]`` of one print agree). ``ordinal`` is 0 whenever the accumulated
  volume is known. When the page gave no accumulated volume there is nothing to tell identical
  prints apart but their order, so ``ordinal`` counts earlier identical rows in the same batch
  (a batch is one scan of the page, where each row appears once): repeats inside one scan are
  kept, while a re-scan of the same rows produces the same ids and is suppressed.
* ``id = stable_id(account, market_id)`` identifies the stored row. Rows are kept per account,
  as the seed did (``/api/scraper/data?account=``): two accounts watching one contract each keep
  their copy, and candles count a print once by its ``market_id``.

Everything that is not identity (tick direction, highlight, capture time) may differ between
copies; the first stored copy wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b

from tradewire.core.errors import ValidationError
from tradewire.core.events import TapeBatch, TapePrint, TapeTrade
from tradewire.tape.clock import ExchangeClock

_DIRECTIONS = {
    "up": "up",
    "down": "down",
    "tick-flip-up": "flip-up",
    "tick-flip-down": "flip-down",
    "tick-cont-up": "cont-up",
    "tick-cont-down": "cont-down",
    "flip-up": "flip-up",
    "flip-down": "flip-down",
    "cont-up": "cont-up",
    "cont-down": "cont-down",
    "unchanged": "unchanged",
}


_CANONICAL = frozenset(_DIRECTIONS.values())


def batch_symbol(batch: TapeBatch) -> str | None:
    """The symbol the batch's prints belong to: the contract header of the panel they came from,
    else the active tab (a hidden panel's prints are not the active tab's)."""
    if batch.contract is not None and batch.contract.symbol:
        return batch.contract.symbol.upper()
    for tab in batch.tabs:
        if tab.is_active:
            return tab.symbol.upper()
    if len(batch.tabs) == 1:
        return batch.tabs[0].symbol.upper()
    return None


def _digest(text: str) -> str:
    return blake2b(text.encode(), digest_size=16).hexdigest()


def market_id(
    symbol: str, ts_ns: int, price: float, size: float, acc: float | None, ordinal: int
) -> str:
    """Return the identity of a print in the market (see the module docstring)."""
    # repr of a float is exact and round-trips, so equal prices always give equal text.
    return _digest(
        f"{symbol}\x1f{ts_ns}\x1f{float(price)!r}\x1f{float(size)!r}\x1f{acc!r}\x1f{ordinal}"
    )


def row_id(account: str, market: str) -> str:
    """Return the identity of an account's stored copy of a print."""
    return _digest(f"{account}\x1f{market}")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The rows of one batch that normalised, and ``(print index, reason)`` for the rest."""

    trades: tuple[TapeTrade, ...]
    rejected: tuple[tuple[int, str], ...]


class Normaliser:
    """Give each print a UTC ``ts``, a ``symbol`` and its ids."""

    def __init__(self, clock: ExchangeClock) -> None:
        self._clock = clock
        self._captured_cache: dict[str, int | None] = {}

    def _captured_ns(self, text: str | None, fallback: int) -> int:
        if not text:
            return fallback
        cached = self._captured_cache.get(text)
        if cached is None:
            try:
                cached = self._clock.parse(text)
            except ValidationError:
                cached = fallback
            if len(self._captured_cache) > 10_000:
                self._captured_cache.clear()
            self._captured_cache[text] = cached
        return cached

    def normalise(self, batch: TapeBatch) -> Normalised:
        """Return the batch's rows ready to store; rows that cannot be placed are rejected."""
        symbol = batch_symbol(batch)
        if symbol is None:
            reason = "no symbol: the batch has no active tab and no contract symbol"
            return Normalised((), tuple((i, reason) for i in range(len(batch.prints))))
        trades: list[TapeTrade] = []
        rejected: list[tuple[int, str]] = []
        seen: dict[tuple, int] = {}
        for index, tape_print in enumerate(batch.prints):

            def captured(p: TapePrint = tape_print) -> int:
                return self._captured_ns(p.captured_at, batch.ts_event)

            try:
                ts_ns = self._clock.parse(tape_print.timestamp, captured)
            except ValidationError as exc:
                rejected.append((index, exc.message))
                continue
            ordinal = 0
            if tape_print.accumulated_volume is None:
                key = (ts_ns, tape_print.price, tape_print.size)
                ordinal = seen.get(key, 0)
                seen[key] = ordinal + 1
            trades.append(self._trade(batch, tape_print, symbol, ts_ns, ordinal))
        return Normalised(tuple(trades), tuple(rejected))

    @staticmethod
    def _trade(
        batch: TapeBatch, tape_print: TapePrint, symbol: str, ts_ns: int, ordinal: int
    ) -> TapeTrade:
        account = tape_print.account or batch.account
        market = market_id(
            symbol, ts_ns, tape_print.price, tape_print.size, tape_print.accumulated_volume, ordinal
        )
        direction = tape_print.tick_direction
        if direction is not None and direction not in _CANONICAL:
            direction = direction.strip().lower()
            direction = _DIRECTIONS.get(direction, direction)
        return TapeTrade(
            id=row_id(account, market),
            market_id=market,
            ts_ns=ts_ns,
            symbol=symbol,
            account=account,
            timestamp=tape_print.timestamp,
            price=float(tape_print.price),
            size=float(tape_print.size),
            accumulated_volume=tape_print.accumulated_volume,
            tick_direction=direction,
            is_highlighted=tape_print.is_highlighted,
            captured_at=tape_print.captured_at,
            source=batch.source,
            received_ns=batch.ts_event,
        )
