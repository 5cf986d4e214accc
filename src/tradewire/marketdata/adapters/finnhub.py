"""Finnhub adapter: ``/quote`` and ``/stock/candle`` over HTTP.

The API key travels in the ``X-Finnhub-Token`` header, never in the URL, so it cannot leak
into request logs or error messages. Finnhub answers an unknown symbol with an all-zero quote
and an empty candle request with ``{"s": "no_data"}``; both become :class:`NoDataError`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as ShapeError

from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe
from tradewire.marketdata.adapters.http import HttpProvider
from tradewire.marketdata.ports import NoDataError, ProviderError
from tradewire.marketdata.series import series_from_columns

#: Finnhub resolution and look-back (seconds) per timeframe we fetch directly.
RESOLUTIONS: dict[Timeframe, tuple[str, int]] = {
    Timeframe.DAY: ("D", 400 * 86_400),
    Timeframe.H1: ("60", 60 * 86_400),
}


class _Quote(BaseModel):
    model_config = ConfigDict(extra="ignore")
    c: float
    d: float | None = None
    dp: float | None = None
    h: float | None = None
    l: float | None = None  # noqa: E741 - Finnhub's field name
    o: float | None = None
    pc: float | None = None
    t: int = 0


class _Candles(BaseModel):
    model_config = ConfigDict(extra="ignore")
    s: str
    t: list[int | None] = []
    o: list[float | None] = []
    h: list[float | None] = []
    l: list[float | None] = []  # noqa: E741 - Finnhub's field name
    c: list[float | None] = []
    v: list[float | None] = []


class FinnhubProvider(HttpProvider):
    """Quotes and candles from Finnhub within its call budget."""

    name = DataSource.FINNHUB

    async def quote(self, ticker: str) -> Quote:
        """Return the latest quote of ``ticker``."""
        body = await self._http.get_json("/quote", {"symbol": ticker})
        try:
            q = _Quote.model_validate(body)
        except ShapeError as exc:
            raise ProviderError(self.name, f"unexpected /quote answer for {ticker}") from exc
        if q.c <= 0 or q.t <= 0:
            raise NoDataError(self.name, f"no quote for {ticker}")
        return Quote(
            ticker=ticker,
            price=q.c,
            change=q.d,
            change_percent=q.dp,
            open=q.o,
            high=q.h,
            low=q.l,
            prev_close=q.pc,
            volume=None,
            data_source=self.name,
            ts_event=q.t * 1_000_000_000,
            ts_init=self._clock.now_ns(),
        )

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        """Return daily or hourly bars of ``ticker`` (4-hour bars are derived from hourly)."""
        resolution, lookback = RESOLUTIONS[timeframe]
        now_s = self._clock.now_ns() // 1_000_000_000
        return await self._candles(ticker, timeframe, resolution, now_s - lookback, now_s)

    async def daily_history(self, ticker: str, start_s: int, end_s: int) -> CandleSeries:
        """Return the daily bars of ``ticker`` from ``start_s`` to ``end_s`` (epoch seconds;
        Finnhub includes a bar opening at ``end_s``)."""
        return await self._candles(ticker, Timeframe.DAY, "D", start_s, end_s)

    async def _candles(
        self, ticker: str, timeframe: Timeframe, resolution: str, from_s: int, to_s: int
    ) -> CandleSeries:
        params = {"symbol": ticker, "resolution": resolution, "from": from_s, "to": to_s}
        body = await self._http.get_json("/stock/candle", params)
        try:
            raw = _Candles.model_validate(body)
            if raw.s == "no_data":
                raise NoDataError(self.name, f"no {timeframe} candles for {ticker}")
            if raw.s != "ok":
                raise ValueError(f"status {raw.s!r}")
            series = series_from_columns(
                ticker=ticker,
                timeframe=timeframe,
                source=self.name,
                ts=raw.t,
                open=raw.o,
                high=raw.h,
                low=raw.l,
                close=raw.c,
                volume=raw.v,
                ts_init=self._clock.now_ns(),
            )
        except (ShapeError, ValueError) as exc:
            raise ProviderError(self.name, f"unexpected candle answer for {ticker}") from exc
        if not len(series):
            raise NoDataError(self.name, f"no {timeframe} candles for {ticker}")
        return series
