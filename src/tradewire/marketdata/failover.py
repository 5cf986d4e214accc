"""Failover per data kind: ask sources in the configured order, skipping unhealthy ones.

A source that fails ``unhealthy_after`` times in a row (outages only: timeouts, 5xx, 429 after
retries, unreadable answers) is skipped for ``probe_after_s``, or at once for as long as a
provider's ``Retry-After`` asked; then one request probes it, and it is healthy again at its
first success. "Not entitled" (e.g. Finnhub's free plan and candles)
only routes that kind elsewhere for a while and "no data" only moves on to the next source:
neither is an outage. Every datum keeps the ``data_source`` of the source that served it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import structlog

from tradewire.core.clock import Clock
from tradewire.core.errors import RetryableError
from tradewire.core.events import CandleSeries, Quote, Timeframe
from tradewire.marketdata.ports import (
    MarketDataProvider,
    NoDataError,
    NotEntitledError,
    ProviderError,
)

log = structlog.get_logger(__name__)
T = TypeVar("T")
NS = 1_000_000_000


@dataclass(slots=True)
class SourceHealth:
    """Health of one source for one kind of data (``quote`` or ``candles``)."""

    source: str
    kind: str
    consecutive_failures: int = 0
    unhealthy_until_ns: int = 0
    not_entitled_until_ns: int = 0
    served: int = 0
    failures: int = 0
    last_error: str | None = None

    def usable(self, now_ns: int) -> bool:
        return now_ns >= self.unhealthy_until_ns and now_ns >= self.not_entitled_until_ns

    @property
    def healthy(self) -> bool:
        return self.unhealthy_until_ns == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "healthy": self.healthy,
            "entitled": self.not_entitled_until_ns == 0,
            "consecutive_failures": self.consecutive_failures,
            "served": self.served,
            "failures": self.failures,
            "last_error": self.last_error,
        }


class Failover:
    """Quotes and candles from the first usable source, in order."""

    def __init__(
        self,
        quote_sources: Sequence[MarketDataProvider],
        candle_sources: Sequence[MarketDataProvider],
        clock: Clock,
        *,
        unhealthy_after: int = 3,
        probe_after_s: float = 60.0,
        entitlement_recheck_s: float = 3600.0,
    ) -> None:
        if not quote_sources or not candle_sources:
            raise ValueError("failover needs at least one source per kind")
        self._quote_sources = tuple(quote_sources)
        self._candle_sources = tuple(candle_sources)
        self._clock = clock
        self._unhealthy_after = unhealthy_after
        self._probe_ns = int(probe_after_s * NS)
        self._recheck_ns = int(entitlement_recheck_s * NS)
        self._health: dict[tuple[str, str], SourceHealth] = {}
        for kind, sources in (("quote", quote_sources), ("candles", candle_sources)):
            for source in sources:
                key = (source.name.value, kind)
                self._health[key] = SourceHealth(source=source.name.value, kind=kind)

    @property
    def providers(self) -> tuple[MarketDataProvider, ...]:
        """Every distinct provider behind this failover."""
        unique = {id(p): p for p in (*self._quote_sources, *self._candle_sources)}
        return tuple(unique.values())

    def health(self) -> list[SourceHealth]:
        """Return the health of every (source, kind)."""
        return list(self._health.values())

    async def quote(self, ticker: str) -> Quote:
        """Return a quote from the first source that has one."""
        return await self._first(
            "quote", ticker, self._quote_sources, lambda source: source.quote(ticker)
        )

    async def candles(self, ticker: str, timeframe: Timeframe) -> CandleSeries:
        """Return bars from the first source that has them."""
        return await self._first(
            "candles",
            ticker,
            self._candle_sources,
            lambda source: source.candles(ticker, timeframe),
        )

    async def _first(
        self,
        kind: str,
        ticker: str,
        sources: Sequence[MarketDataProvider],
        call: Callable[[MarketDataProvider], Awaitable[T]],
    ) -> T:
        reasons: list[str] = []
        outage = False  # a source failed or was skipped as unhealthy: worth retrying later
        for source in sources:
            health = self._health[(source.name.value, kind)]
            now = self._clock.now_ns()
            if not health.usable(now):
                reasons.append(f"{source.name.value}: skipped ({health.last_error})")
                outage = outage or now < health.unhealthy_until_ns
                continue
            try:
                result = await call(source)
            except NotEntitledError as exc:
                health.not_entitled_until_ns = now + self._recheck_ns
                health.last_error = exc.message
                reasons.append(exc.message)
                continue
            except NoDataError as exc:
                reasons.append(exc.message)
                continue
            except ProviderError as exc:
                outage = True
                self._failed(health, exc.message, exc.retry_after)
                reasons.append(exc.message)
                continue
            health.consecutive_failures = 0
            health.unhealthy_until_ns = 0
            health.not_entitled_until_ns = 0
            health.served += 1
            return result
        message = f"no source could serve {kind} of {ticker}: " + "; ".join(reasons)
        if outage:
            raise RetryableError(message)
        raise NoDataError(sources[0].name, message)

    def _failed(self, health: SourceHealth, error: str, retry_after: float | None) -> None:
        health.failures += 1
        health.consecutive_failures += 1
        health.last_error = error
        now = self._clock.now_ns()
        if retry_after is not None:
            # The provider said when to come back (a long Retry-After): believe it at once.
            health.unhealthy_until_ns = max(health.unhealthy_until_ns, now + int(retry_after * NS))
        if health.consecutive_failures >= self._unhealthy_after:
            health.unhealthy_until_ns = max(health.unhealthy_until_ns, now + self._probe_ns)
            log.warning(
                "market data source unhealthy",
                source=health.source,
                kind=health.kind,
                failures=health.consecutive_failures,
                error=error,
            )
