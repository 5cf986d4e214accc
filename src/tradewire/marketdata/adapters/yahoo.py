"""Yahoo Finance adapter: the v8 chart API (``/v8/finance/chart/{symbol}``) for quotes and
OHLCV history.

The chart answer holds ``chart.result[0]`` with ``meta`` (the latest price), ``timestamp`` and
``indicators.quote[0]`` columns, or ``chart.error`` with a code and description.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as ShapeError

from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe
from tradewire.marketdata.adapters.http import HttpProvider
from tradewire.marketdata.ports import NoDataError, ProviderError
from tradewire.marketdata.series import series_from_columns

#: Yahoo interval and range per timeframe we fetch directly.
INTERVALS: dict[Timeframe, tuple[str, str]] = {
    Timeframe.DAY: ("1d", "2y"),
    Timeframe.H1: ("60m", "60d"),
}

#: Statuses whose body the adapter reads: Yahoo explains a 404 in ``chart.error``.
YAHOO_ANSWERS = frozenset({200, 404})

#: Yahoo turns away clients without a browser-like agent.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) tradewire"


class _Meta(BaseModel):
    model_config = ConfigDict(extra="ignore")
    regularMarketPrice: float | None = None
    chartPreviousClose: float | None = None
    previousClose: float | None = None
    regularMarketTime: int | None = None
    regularMarketDayHigh: float | None = None
    regularMarketDayLow: float | None = None
    regularMarketVolume: float | None = None
    gmtoffset: int = 0


class _QuoteColumns(BaseModel):
    model_config = ConfigDict(extra="ignore")
    open: list[float | None] = []
    high: list[float | None] = []
    low: list[float | None] = []
    close: list[float | None] = []
    volume: list[float | None] = []


class _Indicators(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quote: list[_QuoteColumns] = []


class _Result(BaseModel):
    model_config = ConfigDict(extra="ignore")
    meta: _Meta
    timestamp: list[int] = []
    indicators: _Indicators = _Indicators()


class _Error(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = "error"
    description: str = ""


class _Chart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    result: list[_Result] | None = None
    error: _Error | None = None


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    chart: _Chart


class YahooProvider(HttpProvider):
    """Quotes and candles from Yahoo Finance's chart API within its own call budget."""

    name = DataSource.YAHOO

    async def quote(self, ticker: str) -> Quote:
        """Return the latest quote of ``ticker`` from the chart's ``meta``."""
        result = await self._chart(ticker, {"interval": "1d", "range": "5d"})
        meta = result.meta
        if meta.regularMarketPrice is None or meta.regularMarketPrice <= 0:
            raise NoDataError(self.name, f"no quote for {ticker}")
        price = meta.regularMarketPrice
        columns = result.indicators.quote[0] if result.indicators.quote else _QuoteColumns()
        prev = (
            meta.previousClose
            or _close_before_session(result, columns)
            or (meta.chartPreviousClose)
        )
        change = price - prev if prev else None
        opens = [x for x in columns.open if x]
        now = self._clock.now_ns()
        return Quote(
            ticker=ticker,
            price=price,
            change=change,
            change_percent=change / prev * 100 if change is not None else None,
            open=opens[-1] if opens else None,
            high=meta.regularMarketDayHigh,
            low=meta.regularMarketDayLow,
            prev_close=prev,
            volume=meta.regularMarketVolume,
            data_source=self.name,
            ts_event=meta.regularMarketTime * 1_000_000_000 if meta.regularMarketTime else now,
            ts_init=now,
        )

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        """Return daily or hourly bars of ``ticker`` (4-hour bars are derived from hourly)."""
        interval, span = INTERVALS[timeframe]
        result = await self._chart(ticker, {"interval": interval, "range": span})
        return self._series(ticker, timeframe, result)

    async def daily_history(self, ticker: str, start_s: int, end_s: int) -> CandleSeries:
        """Return the daily bars of ``ticker`` opening in ``[start_s, end_s)`` (epoch seconds),
        through the chart's ``period1``/``period2`` instead of a fixed range."""
        params = {"interval": "1d", "period1": start_s, "period2": end_s}
        return self._series(ticker, Timeframe.DAY, await self._chart(ticker, params))

    def _series(self, ticker: str, timeframe: Timeframe, result: _Result) -> CandleSeries:
        if not result.timestamp or not result.indicators.quote:
            raise NoDataError(self.name, f"no {timeframe} candles for {ticker}")
        q = result.indicators.quote[0]
        try:
            series = series_from_columns(
                ticker=ticker,
                timeframe=timeframe,
                source=self.name,
                ts=result.timestamp,
                open=q.open,
                high=q.high,
                low=q.low,
                close=q.close,
                volume=q.volume,
                ts_init=self._clock.now_ns(),
            )
        except ValueError as exc:
            raise ProviderError(self.name, f"unexpected candle answer for {ticker}") from exc
        if not len(series):
            raise NoDataError(self.name, f"no {timeframe} candles for {ticker}")
        return series

    async def _chart(self, ticker: str, params: dict[str, Any]) -> _Result:
        # Yahoo spells share classes with a dash (BRK-B).
        symbol = ticker.replace(".", "-")
        body = await self._http.get_json(f"/v8/finance/chart/{symbol}", params)
        try:
            chart = _Envelope.model_validate(body).chart
        except ShapeError as exc:
            raise ProviderError(self.name, f"unexpected chart answer for {ticker}") from exc
        if chart.error is not None:
            raise NoDataError(self.name, f"{ticker}: {chart.error.code} {chart.error.description}")
        if not chart.result:
            raise NoDataError(self.name, f"empty chart for {ticker}")
        return chart.result[0]


def _close_before_session(result: _Result, columns: _QuoteColumns) -> float | None:
    """The last daily close before the quote's trading day (in the exchange's time zone).

    ``chartPreviousClose`` is the close before the chart's *range*, not yesterday's, so the
    previous close is taken from the bars themselves.
    """
    meta = result.meta
    if meta.regularMarketTime is None or len(columns.close) != len(result.timestamp):
        return None
    today = (meta.regularMarketTime + meta.gmtoffset) // 86_400
    earlier = [
        close
        for ts, close in zip(result.timestamp, columns.close, strict=True)
        if close and (ts + meta.gmtoffset) // 86_400 < today
    ]
    return earlier[-1] if earlier else None
