"""The collector's watchlist: validated tickers, persisted, with SPY and QQQ protected.

Protected tickers cannot be removed and are put back if storage lost them.
"""

from __future__ import annotations

import asyncio
import re

from tradewire.core.clock import Clock
from tradewire.core.errors import NotFoundError, ValidationError
from tradewire.marketdata.ports import WatchlistStore

PROTECTED: tuple[str, ...] = ("SPY", "QQQ")
_TICKER = re.compile(r"[A-Z0-9]{1,5}(\.[A-Z]{1,2})?")


def validate_ticker(raw: object) -> str:
    """Return ``raw`` as a canonical ticker (upper case), or raise ValidationError saying why.

    Accepted: 1–5 letters or digits, optionally a share class after a dot (``BRK.B``).
    """
    if not isinstance(raw, str):
        raise ValidationError("ticker must be a string")
    ticker = raw.strip().upper()
    if not ticker:
        raise ValidationError("ticker is empty")
    if _TICKER.fullmatch(ticker):
        return ticker
    base, _, share_class = ticker.partition(".")
    if "-" in ticker or "/" in ticker:
        reason = "use a dot for share classes, e.g. BRK.B"
    elif not base:
        reason = "nothing before the share class"
    elif len(base) > 5:
        reason = f"{len(base)} characters before any share class; at most 5"
    elif not base.isalnum() or not base.isascii():
        reason = "only letters A-Z and digits 0-9 are allowed"
    elif "." in ticker and not (share_class.isalpha() and 1 <= len(share_class) <= 2):
        reason = "a share class is one or two letters after one dot, e.g. BRK.B"
    else:
        reason = "not a ticker"
    raise ValidationError(f"invalid ticker {raw.strip()[:20]!r}: {reason}")


class Watchlist:
    """Tickers to collect, in the order they were added."""

    def __init__(self, store: WatchlistStore, clock: Clock, max_size: int = 500) -> None:
        self._store = store
        self._clock = clock
        self._max = max_size
        self._tickers: list[str] = list(PROTECTED)
        self._lock = asyncio.Lock()

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(self._tickers)

    @property
    def protected(self) -> tuple[str, ...]:
        return PROTECTED

    async def load(self) -> tuple[str, ...]:
        """Read the stored watchlist, restoring any protected ticker that is missing."""
        async with self._lock:
            stored = [ticker for ticker, _ in await self._store.load()]
            for ticker in PROTECTED:
                if ticker not in stored:
                    await self._store.add(ticker, True, self._clock.now_ns())
            valid = []
            for ticker in stored:
                try:
                    valid.append(validate_ticker(ticker))
                except ValidationError:
                    continue  # written by hand into the table; never collect garbage
            self._tickers = list(PROTECTED) + [t for t in valid if t not in PROTECTED]
            return self.tickers

    async def add(self, raw: object) -> tuple[str, bool]:
        """Add a ticker; return it and whether it was new."""
        ticker = validate_ticker(raw)
        async with self._lock:
            if ticker in self._tickers:
                return ticker, False
            if len(self._tickers) >= self._max:
                raise ValidationError(f"watchlist is full ({self._max} tickers)")
            await self._store.add(ticker, ticker in PROTECTED, self._clock.now_ns())
            self._tickers.append(ticker)
            return ticker, True

    async def remove(self, raw: object) -> str:
        """Remove a ticker; protected ones cannot be removed."""
        ticker = validate_ticker(raw)
        if ticker in PROTECTED:
            raise ValidationError(f"{ticker} is protected and cannot be removed")
        async with self._lock:
            if ticker not in self._tickers:
                raise NotFoundError(f"{ticker} is not in the watchlist")
            await self._store.remove(ticker)
            self._tickers.remove(ticker)
            return ticker
