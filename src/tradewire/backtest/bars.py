"""Bars of one symbol as numpy columns: what the backtester replays and strategies read.

A strategy only ever sees :meth:`Bars.upto` — the bars up to the one just closed — so it
cannot read the future; the slices are views, so handing them out costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradewire.core.events import CandleSeries, DataSource, Timeframe

NS_PER_S = 1_000_000_000
_COLUMNS = ("ts", "open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True, eq=False)
class Bars:
    """OHLCV bars of ``symbol``, oldest first; ``ts`` is each bar's open time in epoch ns."""

    symbol: str
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __post_init__(self) -> None:
        lengths = {len(c) for c in self.columns()}
        if len(lengths) != 1:
            raise ValueError(f"{self.symbol}: bar columns differ in length")
        if len(self.ts) > 1 and not bool(np.all(np.diff(self.ts) > 0)):
            raise ValueError(f"{self.symbol}: bar times must increase strictly")

    def __len__(self) -> int:
        return len(self.ts)

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.ts, self.open, self.high, self.low, self.close, self.volume)

    def upto(self, end: int) -> Bars:
        """Return bars ``[0, end)`` (views, no copy; a slice of valid bars needs no check)."""
        part = object.__new__(Bars)
        for name, column in zip(_COLUMNS, self.columns(), strict=True):
            object.__setattr__(part, name, column[:end])
        object.__setattr__(part, "symbol", self.symbol)
        return part

    def window(self, start_ns: int | None, end_ns: int | None) -> Bars:
        """Return the bars whose time is in ``[start_ns, end_ns)`` (either bound open)."""
        lo = 0 if start_ns is None else int(np.searchsorted(self.ts, start_ns, side="left"))
        hi = len(self) if end_ns is None else int(np.searchsorted(self.ts, end_ns, side="left"))
        return Bars(self.symbol, *(c[lo:hi] for c in self.columns()))

    @classmethod
    def build(
        cls,
        symbol: str,
        ts: object,
        open: object,
        high: object,
        low: object,
        close: object,
        volume: object | None = None,
    ) -> Bars:
        """Return bars from array-likes (``volume`` missing → zeros)."""
        closes = np.asarray(close, dtype=np.float64)
        vol = np.zeros(len(closes)) if volume is None else np.asarray(volume, dtype=np.float64)
        return cls(
            symbol,
            np.asarray(ts, dtype=np.int64),
            np.asarray(open, dtype=np.float64),
            np.asarray(high, dtype=np.float64),
            np.asarray(low, dtype=np.float64),
            closes,
            vol,
        )

    @classmethod
    def from_series(cls, series: CandleSeries) -> Bars:
        """Return the bars of a provider's candle series (its ``ts`` are epoch seconds)."""
        ts = np.asarray(series.ts, dtype=np.int64) * NS_PER_S
        return cls.build(
            series.ticker, ts, series.open, series.high, series.low, series.close, series.volume
        )

    def to_series(self, timeframe: Timeframe, source: DataSource, ts_init: int = 0) -> CandleSeries:
        """Return the bars as a candle series (epoch-second times), e.g. for the analyzer."""
        seconds = tuple(int(t) // NS_PER_S for t in self.ts)
        return CandleSeries(
            ticker=self.symbol,
            timeframe=timeframe,
            data_source=source,
            ts=seconds,
            open=tuple(self.open.tolist()),
            high=tuple(self.high.tolist()),
            low=tuple(self.low.tolist()),
            close=tuple(self.close.tolist()),
            volume=tuple(self.volume.tolist()),
            ts_event=int(self.ts[-1]) if len(self) else 0,
            ts_init=ts_init,
        )
