"""Ports of the market data package and the errors its adapters raise.

Adapters translate their library's errors into these at the boundary, so failover and the
collector decide by kind: an outage counts against a source's health, "not entitled" and
"no data" only route the request elsewhere.
"""

from __future__ import annotations

from typing import Protocol

from tradewire.core.errors import ForbiddenError, NotFoundError, RetryableError
from tradewire.core.events import CandleSeries, DataSource, Quote, Timeframe


class ProviderError(RetryableError):
    """A provider failed for now: timeout, 5xx, 429 after retries, or an unreadable answer."""

    def __init__(self, source: DataSource, message: str, retry_after: float | None = None):
        super().__init__(f"{source.value}: {message}", retry_after)
        self.source = source


class NotEntitledError(ForbiddenError):
    """The provider's plan does not cover this request (e.g. Finnhub's free plan and candles)."""

    def __init__(self, source: DataSource, message: str) -> None:
        super().__init__(f"{source.value}: {message}")
        self.source = source


class NoDataError(NotFoundError):
    """The provider answered but has no data for the ticker."""

    def __init__(self, source: DataSource, message: str) -> None:
        super().__init__(f"{source.value}: {message}")
        self.source = source


class QuoteSource(Protocol):
    """Something that can quote a ticker."""

    name: DataSource

    async def quote(self, ticker: str) -> Quote: ...


class CandleSource(Protocol):
    """Something that can return OHLCV history of a ticker."""

    name: DataSource

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries: ...


class MarketDataProvider(QuoteSource, CandleSource, Protocol):
    """A provider adapter: quotes and candles, plus the calls it has made and a way to close."""

    @property
    def calls(self) -> int: ...

    async def aclose(self) -> None: ...


class KeyValueStore(Protocol):
    """Byte values with the time they were stored; the cache's backend (SQL or Redis)."""

    async def put(self, key: str, value: bytes, stored_ns: int) -> None: ...

    async def get(self, key: str) -> tuple[bytes, int] | None: ...

    async def items(self) -> list[tuple[str, bytes, int]]: ...

    async def delete(self, key: str | None = None) -> int: ...

    async def size(self) -> tuple[int, int]: ...

    async def aclose(self) -> None: ...


class WatchlistStore(Protocol):
    """Where the watchlist is persisted."""

    async def load(self) -> list[tuple[str, bool]]: ...

    async def add(self, ticker: str, protected: bool, added_ns: int) -> None: ...

    async def remove(self, ticker: str) -> None: ...
