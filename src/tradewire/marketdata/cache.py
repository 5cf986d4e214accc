"""Snapshot cache with a TTL over a key-value backend (SQL database or Redis).

The seed's operations: save, get if fresh, is_stale, clear, get_all, status (entries, bytes) and
the tickers in cache. An expired entry is kept (so it can be served in an outage) but is
returned only to a caller who asks for stale data, and then it is marked ``stale``.

Lookups by ticker first try a small in-process tier of decoded snapshots (filled on save and
on read), so a hit costs neither a round trip nor a decode. Its entries carry the time they
were stored, so freshness is judged exactly as for the backend; a newer snapshot written by
another process is seen once this process's copy expires or is evicted.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
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

    def __init__(
        self, store: KeyValueStore, clock: Clock, ttl_s: float = 300.0, hot_entries: int = 256
    ) -> None:
        self._store = store
        self._clock = clock
        self.ttl_s = ttl_s
        self._hot_max = hot_entries
        # ticker -> (snapshot as served from the cache, stored_ns), least recently used first
        self._hot: OrderedDict[str, tuple[MarketSnapshot, int]] = OrderedDict()

    async def save(self, snapshot: MarketSnapshot) -> None:
        """Store ``snapshot`` as the ticker's latest, stamped now."""
        stored_ns = self._clock.now_ns()
        await self._store.put(snapshot.ticker, codec.encode(snapshot), stored_ns)
        served = dataclasses.replace(snapshot, data_source=DataSource.CACHE, stale=False)
        self._remember(snapshot.ticker, served, stored_ns)

    async def get_fresh(self, ticker: str) -> CachedSnapshot | None:
        """Return the ticker's entry if it is younger than the TTL."""
        return await self.get(ticker, allow_stale=False)

    async def get(self, ticker: str, *, allow_stale: bool = False) -> CachedSnapshot | None:
        """Return the ticker's entry; an expired one only with ``allow_stale``, marked stale."""
        hot = self._hot.get(ticker)
        if hot is not None:
            entry = self._entry(*hot, allow_stale=False)
            if entry is not None:
                self._hot.move_to_end(ticker)
                return entry
            # Expired here; another process may have stored a newer one since.
        found = await self._store.get(ticker)
        if found is None:
            return None
        return self._read(ticker, *found, allow_stale=allow_stale)

    async def is_stale(self, ticker: str) -> bool:
        """Return True when the ticker has no entry younger than the TTL."""
        return await self.get_fresh(ticker) is None

    async def clear(self, ticker: str | None = None) -> int:
        """Remove one ticker's entry, or all entries; return how many went."""
        if ticker is None:
            self._hot.clear()
        else:
            self._hot.pop(ticker, None)
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
        if not allow_stale and self._age_s(stored_ns) >= self.ttl_s:
            return None  # not worth decoding
        try:
            snapshot = codec.decode(value, served_by=DataSource.CACHE)
        except (ValueError, KeyError, TypeError) as exc:
            # An entry from another version or a damaged one is a miss, not a crash.
            log.warning("unreadable cache entry ignored", ticker=ticker, error=str(exc))
            return None
        self._remember(ticker, snapshot, stored_ns)
        return self._entry(snapshot, stored_ns, allow_stale=allow_stale)

    def _entry(
        self, snapshot: MarketSnapshot, stored_ns: int, *, allow_stale: bool
    ) -> CachedSnapshot | None:
        age_s = self._age_s(stored_ns)
        if age_s >= self.ttl_s:
            if not allow_stale:
                return None
            snapshot = dataclasses.replace(snapshot, stale=True)
        return CachedSnapshot(snapshot=snapshot, stored_ns=stored_ns, age_s=age_s)

    def _remember(self, ticker: str, snapshot: MarketSnapshot, stored_ns: int) -> None:
        if self._hot_max <= 0:
            return
        self._hot[ticker] = (snapshot, stored_ns)
        self._hot.move_to_end(ticker)
        while len(self._hot) > self._hot_max:
            self._hot.popitem(last=False)

    def _age_s(self, stored_ns: int) -> float:
        return max(0.0, (self._clock.now_ns() - stored_ns) / NS)
