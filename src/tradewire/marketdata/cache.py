"""Snapshot cache with a TTL over a key-value backend (SQL database or Redis).

The seed's operations: save, get if fresh, is_stale, clear, get_all, status (entries, bytes) and
the tickers in cache. An expired entry is kept (so it can be served in an outage) but is
returned only to a caller who asks for stale data, and then it is marked ``stale``.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from tradewire.core.clock import Clock
from tradewire.core.events import DataSource, MarketSnapshot
from tradewire.marketdata import codec
from tradewire.marketdata.ports import KeyValueStore

log = structlog.get_logger(__name__)
NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class CachedSnapshot:
    """A snapshot read from the cache, with its age."""

    snapshot: MarketSnapshot
    stored_ns: int
    age_s: float

    @property
    def stale(self) -> bool:
        return self.snapshot.stale


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """How much the cache holds."""

    entries: int
    bytes: int
    ttl_s: float


class SnapshotCache:
    """Market snapshots by ticker, fresh for ``ttl_s`` seconds."""

    def __init__(self, store: KeyValueStore, clock: Clock, ttl_s: float = 300.0) -> None:
        self._store = store
        self._clock = clock
        self.ttl_s = ttl_s

    async def save(self, snapshot: MarketSnapshot) -> None:
        """Store ``snapshot`` as the ticker's latest, stamped now."""
        await self._store.put(snapshot.ticker, codec.encode(snapshot), self._clock.now_ns())

    async def get_fresh(self, ticker: str) -> CachedSnapshot | None:
        """Return the ticker's entry if it is younger than the TTL."""
        return await self.get(ticker, allow_stale=False)

    async def get(self, ticker: str, *, allow_stale: bool = False) -> CachedSnapshot | None:
        """Return the ticker's entry; an expired one only with ``allow_stale``, marked stale."""
        found = await self._store.get(ticker)
        if found is None:
            return None
        return self._read(ticker, *found, allow_stale=allow_stale)

    async def is_stale(self, ticker: str) -> bool:
        """Return True when the ticker has no entry younger than the TTL."""
        return await self.get_fresh(ticker) is None

    async def clear(self, ticker: str | None = None) -> int:
        """Remove one ticker's entry, or all entries; return how many went."""
        return await self._store.delete(ticker)

    async def get_all(self, *, allow_stale: bool = False) -> dict[str, CachedSnapshot]:
        """Return every entry by ticker (expired ones only with ``allow_stale``)."""
        found: dict[str, CachedSnapshot] = {}
        for key, value, stored in await self._store.items():
            entry = self._read(key, value, stored, allow_stale=allow_stale)
            if entry is not None:
                found[key] = entry
        return found

    async def status(self) -> CacheStatus:
        """Return the number of entries and their size in bytes."""
        entries, size = await self._store.size()
        return CacheStatus(entries=entries, bytes=size, ttl_s=self.ttl_s)

    async def tickers(self) -> list[str]:
        """Return the tickers with an entry (fresh or not), sorted."""
        return sorted(key for key, _, _ in await self._store.items())

    async def aclose(self) -> None:
        await self._store.aclose()

    def _read(
        self, ticker: str, value: bytes, stored_ns: int, *, allow_stale: bool
    ) -> CachedSnapshot | None:
        age_s = max(0.0, (self._clock.now_ns() - stored_ns) / NS)
        stale = age_s >= self.ttl_s
        if stale and not allow_stale:
            return None
        try:
            snapshot = codec.decode(value, served_by=DataSource.CACHE, stale=stale)
        except (ValueError, KeyError, TypeError) as exc:
            # An entry from another version or a damaged one is a miss, not a crash.
            log.warning("unreadable cache entry ignored", ticker=ticker, error=str(exc))
            return None
        return CachedSnapshot(snapshot=snapshot, stored_ns=stored_ns, age_s=age_s)
