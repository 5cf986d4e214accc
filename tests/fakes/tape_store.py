"""In-memory TapeStore (port: tradewire.tape.ports)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tradewire.core.events import TapeTrade
from tradewire.tape.config import ScraperSettings
from tradewire.tape.ports import ROW_FIELDS, StoreStats, TradeQuery


class MemoryTapeStore:
    """Tape rows by id, kept in memory; the first stored copy of an id wins."""

    def __init__(self) -> None:
        self._rows: dict[str, TapeTrade] = {}
        self._config: ScraperSettings | None = None

    async def add(self, trades: Sequence[TapeTrade]) -> None:
        """Store ``trades``, skipping ids stored already."""
        for trade in trades:
            self._rows.setdefault(trade.id, trade)

    async def barrier(self) -> None:
        """Return at once: every add has stored its rows by the time it returns."""

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self._rows}

    def ids_since(self, since_ns: int) -> list[tuple[str, int]]:
        return [(t.id, t.ts_ns) for t in self._rows.values() if t.ts_ns >= since_ns]

    def latest(self, limit: int) -> list[TapeTrade]:
        return sorted(self._rows.values(), key=_ts, reverse=True)[:limit]

    def iter_rows(
        self, query: TradeQuery, fields: Sequence[str] = ROW_FIELDS, chunk: int = 10_000
    ) -> Iterator[list[tuple]]:
        rows = [tuple(getattr(t, name) for name in fields) for t in self._matching(query)]
        for start in range(0, len(rows), chunk):
            yield rows[start : start + chunk]

    def count(self, query: TradeQuery) -> int:
        return len(self._matching(query))

    def stats(self, since_ns: int) -> StoreStats:
        rows = self._rows.values()
        return StoreStats(
            total=len(rows),
            since=sum(1 for t in rows if t.ts_ns >= since_ns),
            last_ts_ns=max((t.ts_ns for t in rows), default=None),
            accounts=tuple(sorted({t.account for t in rows})),
        )

    def delete_before(self, before_ns: int) -> int:
        expired = [i for i, t in self._rows.items() if t.ts_ns < before_ns]
        for trade_id in expired:
            del self._rows[trade_id]
        return len(expired)

    def load_config(self) -> ScraperSettings | None:
        return self._config

    def save_config(self, config: ScraperSettings, ts_ns: int) -> None:
        # Nothing reads back when the config was saved, so ``ts_ns`` is not kept.
        self._config = config

    def _matching(self, query: TradeQuery) -> list[TapeTrade]:
        """Rows matching ``query``, oldest first."""
        return sorted(
            (
                t
                for t in self._rows.values()
                if (query.account is None or t.account == query.account)
                and (query.symbol is None or t.symbol == query.symbol)
                and (query.since_ns is None or t.ts_ns >= query.since_ns)
                and (query.until_ns is None or t.ts_ns < query.until_ns)
            ),
            key=_ts,
        )


def _ts(trade: TapeTrade) -> int:
    return trade.ts_ns
