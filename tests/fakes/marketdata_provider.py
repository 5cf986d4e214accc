"""In-memory MarketDataProvider (port: tradewire.marketdata.ports)."""

from __future__ import annotations

from collections.abc import Iterable

from tests.support.fake_providers import Bar, price_path
from tradewire.core.clock import Clock
from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe
from tradewire.marketdata.ports import NoDataError
from tradewire.marketdata.series import series_from_columns

#: Bars served per request, as the fake Finnhub and Yahoo servers do.
BARS = 300


class MemoryProvider:
    """Quotes and candles of ``tickers`` from the deterministic bars the fake Finnhub and Yahoo
    servers serve, in the name of ``name``; any other ticker has no data."""

    def __init__(self, name: DataSource, clock: Clock, tickers: Iterable[str]) -> None:
        self.name = name
        self._clock = clock
        self._tickers = frozenset(tickers)
        self.calls = 0

    async def quote(self, ticker: str) -> Quote:
        """Return the last daily bar's close as the price, the one before as the previous close."""
        bars = self._bars(ticker, Timeframe.DAY)
        ts, o, h, lo, c, v = bars[-1]
        prev = bars[-2][4]
        return Quote(
            ticker=ticker,
            price=c,
            change=c - prev,
            change_percent=(c - prev) / prev * 100,
            open=o,
            high=h,
            low=lo,
            prev_close=prev,
            volume=v,
            data_source=self.name,
            ts_event=ts * 1_000_000_000,
            ts_init=self._clock.now_ns(),
        )

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        """Return ``BARS`` bars of ``ticker``, one ``timeframe`` apart, oldest first."""
        ts, o, h, lo, c, v = zip(*self._bars(ticker, timeframe), strict=True)
        return series_from_columns(
            ticker=ticker,
            timeframe=timeframe,
            source=self.name,
            ts=ts,
            open=o,
            high=h,
            low=lo,
            close=c,
            volume=v,
            ts_init=self._clock.now_ns(),
        )

    async def aclose(self) -> None:
        """Nothing to release."""

    def _bars(self, ticker: str, timeframe: Timeframe) -> list[Bar]:
        """Count the request; return the ticker's bars or raise NoDataError."""
        self.calls += 1
        if ticker not in self._tickers:
            raise NoDataError(self.name, f"no data for {ticker}")
        return price_path(ticker, BARS, timeframe.seconds)
