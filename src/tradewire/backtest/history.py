"""Years of daily bars of a ticker from a market-data provider, for a backtest.

The Yahoo and Finnhub adapters answer :class:`DailyHistory` (``daily_history``) with the
provider's own date-range query, and raise the market data errors as for any other call:
:class:`~tradewire.marketdata.ports.ProviderError` for an outage (5xx, timeouts, 429 after
retries, unreadable answers), :class:`~tradewire.marketdata.ports.NotEntitledError` when the
plan does not cover candles (Finnhub's free plan), and
:class:`~tradewire.marketdata.ports.NoDataError` when there are no bars.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from tradewire.backtest.bars import NS_PER_S, Bars
from tradewire.core.errors import ValidationError
from tradewire.core.events import CandleSeries, DataSource
from tradewire.marketdata.ports import NoDataError


class DailyHistory(Protocol):
    """A provider that returns the daily bars of a ticker between two dates."""

    name: DataSource

    async def daily_history(self, ticker: str, start_s: int, end_s: int) -> CandleSeries:
        """Return the daily bars opening from ``start_s`` to ``end_s`` (epoch seconds; whether
        a bar opening exactly at ``end_s`` comes too is the provider's choice)."""
        ...


async def provider_history(
    source: DailyHistory, ticker: str, *, start_ns: int, end_ns: int
) -> Bars:
    """Return the daily bars of ``ticker`` that open in ``[start_ns, end_ns)`` (epoch ns).

    Raise :class:`ValidationError` for an empty or inverted range, :class:`NoDataError` if the
    provider has no bars of the ticker in it, and the provider's errors as they come.
    """
    if start_ns >= end_ns:
        raise ValidationError(
            f"the start ({_day(start_ns)}) must be before the end ({_day(end_ns)})"
        )
    wanted = f"no daily bars of {ticker} from {_day(start_ns)} to {_day(end_ns)}"
    try:
        series = await source.daily_history(ticker, start_ns // NS_PER_S, -(-end_ns // NS_PER_S))
    except NoDataError as exc:
        reason = exc.message.removeprefix(f"{source.name.value}: ")
        raise NoDataError(source.name, f"{wanted} ({reason})") from exc
    # Providers differ on whether the end is included; the range here is half-open.
    bars = Bars.from_series(series).window(start_ns, end_ns)
    if not len(bars):
        raise NoDataError(source.name, wanted)
    return bars


def _day(ns: int) -> str:
    moment = datetime.fromtimestamp(ns / NS_PER_S, tz=UTC)
    return moment.date().isoformat() if ns % (86_400 * NS_PER_S) == 0 else moment.isoformat()
