"""Ports of the tape service: the durable store it needs, and the query it reads with."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from tradewire.core.events import TapeTrade
from tradewire.tape.config import ScraperSettings

#: Columns of exported rows, in the export's field order (see tradewire.tape.export).
ROW_FIELDS: tuple[str, ...] = (
    "id",
    "ts_ns",
    "symbol",
    "timestamp",
    "price",
    "size",
    "accumulated_volume",
    "tick_direction",
    "is_highlighted",
    "account",
    "captured_at",
)
#: Columns the candle builder reads: ``(symbol, market_id, ts_ns, price, size)``.
PRINT_FIELDS: tuple[str, ...] = ("symbol", "market_id", "ts_ns", "price", "size")


@dataclass(frozen=True, slots=True)
class TradeQuery:
    """Filters over stored trades; times are UTC epoch ns, ``until_ns`` exclusive."""

    account: str | None = None
    symbol: str | None = None
    since_ns: int | None = None
    until_ns: int | None = None


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts for the status endpoint."""

    total: int
    since: int
    last_ts_ns: int | None
    accounts: tuple[str, ...]


class TapeStore(Protocol):
    """Port: durable, duplicate-free storage of tape rows."""

    async def add(self, trades: Sequence[TapeTrade]) -> None:
        """Commit ``trades`` (rows whose id is stored already are skipped); return when durable."""
        ...

    async def barrier(self) -> None:
        """Return once every write queued before this call has committed."""
        ...

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Return which of ``ids`` are stored."""
        ...

    def ids_since(self, since_ns: int) -> list[tuple[str, int]]:
        """Return ``(id, ts_ns)`` of rows with ``ts_ns >= since_ns``."""
        ...

    def latest(self, limit: int) -> list[TapeTrade]:
        """Return the newest ``limit`` rows, newest first."""
        ...

    def iter_rows(
        self, query: TradeQuery, fields: Sequence[str] = ROW_FIELDS, chunk: int = 10_000
    ) -> Iterator[list[tuple]]:
        """Yield matching rows in time order, in chunks of tuples of ``fields``."""
        ...

    def count(self, query: TradeQuery) -> int:
        """Return how many rows match ``query``."""
        ...

    def stats(self, since_ns: int) -> StoreStats:
        """Return totals, rows since ``since_ns``, the newest ``ts`` and the accounts seen."""
        ...

    def delete_before(self, before_ns: int) -> int:
        """Delete rows older than ``before_ns``; return how many."""
        ...

    def load_config(self) -> ScraperSettings | None:
        """Return the persisted scraper config, if any."""
        ...

    def save_config(self, config: ScraperSettings, ts_ns: int) -> None:
        """Persist the scraper config (replacing the previous one) durably."""
        ...
