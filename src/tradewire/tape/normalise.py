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
Hence two ids, each a BLAKE2b digest of 16 bytes written as 32 lower-case hex characters, of UTF-8
text whose fields are joined by the unit separator U+001F (between fields only):

* ``market_id`` identifies the print in the market. Its text is ``symbol``, ``ts_ns``,
  ``repr(price)``, ``repr(size)``, ``repr(accumulatedVolume)`` and ``ordinal``, e.g.
  ``NQZ5␟1759931545037000000␟25146.0␟2.0␟30.0␟0`` (``␟`` standing for U+001F):

  - ``symbol`` is the batch's, upper-case (:func:`batch_symbol`);
  - ``ts_ns`` is the UTC instant in epoch nanoseconds, in decimal (not the page text, so a
    display time and an ISO ``wrap1[value]`` of one print agree);
  - price and size are ``repr`` of their float values (``25146.0`` for a page's ``25,146.00``);
  - the accumulated volume is ``repr`` of the value as decoded, a float (``30.0``) or ``None``;
  - ``ordinal`` is 0 whenever the accumulated volume is known. When the page gave none there is
    nothing to tell identical prints apart but their order, so ``ordinal`` counts the earlier rows
    of the same batch that also have none and the same instant, price and size, whatever account
    they name (rows rejected for their time are not counted). A batch is one scan of the page,
    where each row appears once: repeats inside one scan are kept, while a re-scan of the same
    rows produces the same ids and is suppressed.

* ``id`` identifies the stored row. Its text is the account and the ``market_id`` (its hex
  characters), e.g. ``user1␟913e0f0fd3385cb38895d220e6ca1fab``; the account is the print's own,
  else the batch's. Rows are kept per account, as the seed did (``/api/scraper/data?account=``):
  two accounts watching one contract each keep their copy, and candles count a print once by its
  ``market_id``.

Neither id is :func:`tradewire.core.ids.stable_id` of those fields, which would quote each field
(its ``repr``) and close every field with a separator: stored ids depend on the text above exactly.

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
    else the active tab (a hidden panel's prints are not the active tab's), else the only tab."""
    if batch.contract is not None and batch.contract.symbol:
        return batch.contract.symbol.upper()
    for tab in batch.tabs:
        if tab.is_active:
            return tab.symbol.upper()
    if len(batch.tabs) == 1:
        return batch.tabs[0].symbol.upper()
    return None


def market_id(
    symbol: str, ts_ns: int, price: float, size: float, acc: float | None, ordinal: int
) -> str:
    """Return the identity of a print in the market (see the module docstring)."""
    # repr of a float is exact and round-trips, so equal prices always give equal text.
    text = f"{symbol}\x1f{ts_ns}\x1f{float(price)!r}\x1f{float(size)!r}\x1f{acc!r}\x1f{ordinal}"
    return blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Normalised:
    """The rows of one batch that normalised, and ``(print index, reason)`` for the rest."""

    trades: tuple[TapeTrade, ...]
    rejected: tuple[tuple[int, str], ...]


class Normaliser:
    """Give each print a UTC ``ts``, a ``symbol`` and its ids.

    A page time is placed with the print's capture time (``captured_at``) or, where that is
    missing or unreadable, with the time the batch was received: no print is captured or
    received before it happened (see :mod:`tradewire.tape.clock` for the repeated autumn hour).
    """

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
        # The loop runs once per print on the intake hot path: everything that is the same
        # for the whole batch is worked out once, and names are bound to locals.
        trades: list[TapeTrade] = []
        rejected: list[tuple[int, str]] = []
        seen: dict[tuple, int] = {}
        parse = self._clock.parse
        captured_ns = self._captured_ns
        received, source, default_account = batch.ts_event, batch.source, batch.account
        account_hashes: dict[str, blake2b] = {}
        append = trades.append
        for index, tape_print in enumerate(batch.prints):

            def captured(p: TapePrint = tape_print) -> int:
                return captured_ns(p.captured_at, received)

            try:
                ts_ns = parse(tape_print.timestamp, captured)
            except ValidationError as exc:
                rejected.append((index, exc.message))
                continue
            price, size, acc = (
                float(tape_print.price),
                float(tape_print.size),
                tape_print.accumulated_volume,
            )
            ordinal = 0
            if acc is None:
                key = (ts_ns, tape_print.price, tape_print.size)
                ordinal = seen.get(key, 0)
                seen[key] = ordinal + 1
            market = market_id(symbol, ts_ns, price, size, acc, ordinal)
            account = tape_print.account or default_account
            account_hash = account_hashes.get(account)
            if account_hash is None:
                account_hash = account_hashes[account] = blake2b(
                    f"{account}\x1f".encode(), digest_size=16
                )
            # id = digest(account + "\x1f" + market_id): the account's part is hashed once.
            row = account_hash.copy()
            row.update(market.encode())
            direction = tape_print.tick_direction
            if direction is not None and direction not in _CANONICAL:
                direction = direction.strip().lower()
                direction = _DIRECTIONS.get(direction, direction)
            # Positional, in TapeTrade's field order (keywords cost a third more per row).
            append(
                TapeTrade(
                    row.hexdigest(),
                    market,
                    ts_ns,
                    symbol,
                    account,
                    tape_print.timestamp,
                    price,
                    size,
                    acc,
                    direction,
                    tape_print.is_highlighted,
                    tape_print.captured_at,
                    source,
                    received,
                )
            )
        return Normalised(tuple(trades), tuple(rejected))
