"""OHLCV candles and volume at price, built incrementally from tape prints.

A print counts once per market: copies of one print captured from several accounts share a
``market_id`` (see :mod:`tradewire.tape.normalise`) and are counted once. Candles start on
multiples of the interval in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tradewire.core.events import TapeCandle

NS = 1_000_000_000
INTERVALS: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "30m": 1800,
    "1h": 3600,
    "4h": 14_400,
    "1d": 86_400,
}


@dataclass(slots=True)
class _Open:
    start_ns: int
    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0
    trades: int = 0
    at_price: dict[float, float] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def add(self, market: str, price: float, size: float) -> bool:
        if market in self.seen:
            return False
        self.seen.add(market)
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += size
        self.trades += 1
        self.at_price[price] = self.at_price.get(price, 0.0) + size
        return True

    def event(self, symbol: str, interval_s: int, now_ns: int, closed: bool) -> TapeCandle:
        return TapeCandle(
            ts_event=self.start_ns,
            ts_init=now_ns,
            symbol=symbol,
            interval_s=interval_s,
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
            volume=self.volume,
            trades=self.trades,
            volume_at_price=tuple(sorted(self.at_price.items())),
            closed=closed,
        )


class CandleBuilder:
    """Fold prints of any symbols, in time order, into candles of ``interval_s`` seconds.

    :meth:`add` returns the candles that changed: the ones it closed (a later print arrived)
    and the open one it updated. A print older than a symbol's open candle is ignored here
    (its candle was already closed and published); queries over the store include it.
    """

    def __init__(self, interval_s: int = 60) -> None:
        self.interval_s = interval_s
        self._step = interval_s * NS
        self._open: dict[str, _Open] = {}

    def add(
        self, prints: Iterable[tuple[str, str, int, float, float]], now_ns: int
    ) -> list[TapeCandle]:
        """Add ``(symbol, market_id, ts_ns, price, size)`` prints; return changed candles."""
        changed: dict[str, _Open] = {}
        out: list[TapeCandle] = []
        for symbol, market, ts_ns, price, size in prints:
            start = ts_ns - ts_ns % self._step
            current = self._open.get(symbol)
            if current is not None and start < current.start_ns:
                continue
            if current is None or start > current.start_ns:
                if current is not None:
                    out.append(current.event(symbol, self.interval_s, now_ns, closed=True))
                    changed.pop(symbol, None)
                current = self._open[symbol] = _Open(start, price, price, price, price)
            if current.add(market, price, size):
                changed[symbol] = current
        out.extend(c.event(s, self.interval_s, now_ns, closed=False) for s, c in changed.items())
        return out

    def flush(self, now_ns: int) -> list[TapeCandle]:
        """Close and return every open candle."""
        out = [c.event(s, self.interval_s, now_ns, closed=True) for s, c in self._open.items()]
        self._open.clear()
        return out


def build_candles(
    prints: Iterable[tuple[str, str, int, float, float]], interval_s: int, now_ns: int
) -> list[TapeCandle]:
    """Return the closed candles of time-ordered ``prints`` (one pass, constant memory per bar)."""
    builder = CandleBuilder(interval_s)
    out = [c for c in builder.add(prints, now_ns) if c.closed]
    out.extend(builder.flush(now_ns))
    return out
