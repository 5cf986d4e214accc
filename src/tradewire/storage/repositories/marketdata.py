"""SQL backends of the market data ports: the cache's key-value store and the watchlist.

Writes go through the group-commit writer (one transaction per batch, durable on return);
reads run in a worker thread so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Connection, Engine, delete, func, select

from tradewire.storage.errors import retryable
from tradewire.storage.models import MarketCacheRow, WatchlistRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch

_CACHE = MarketCacheRow.__table__
_WATCHLIST = WatchlistRow.__table__


class SqlKeyValueStore:
    """The snapshot cache's entries in the ``marketdata_cache`` table."""

    def __init__(self, engine: Engine, writer: GroupCommitWriter) -> None:
        self._engine = engine
        self._writer = writer

    async def put(self, key: str, value: bytes, stored_ns: int) -> None:
        def replace(conn: Connection) -> None:
            # Delete-then-insert is an upsert that SQLite and PostgreSQL both run the same way;
            # the writer's single thread means no concurrent writer can interleave.
            conn.execute(delete(_CACHE).where(_CACHE.c.key == key))
            conn.execute(_CACHE.insert(), {"key": key, "value": value, "stored_ns": stored_ns})

        batch = WriteBatch()
        batch.steps.append(replace)
        await self._writer.write(batch)

    async def get(self, key: str) -> tuple[bytes, int] | None:
        return await asyncio.to_thread(self._get, key)

    async def items(self) -> list[tuple[str, bytes, int]]:
        return await asyncio.to_thread(self._items)

    async def delete(self, key: str | None = None) -> int:
        counted: list[int] = []

        def remove(conn: Connection) -> None:
            stmt = delete(_CACHE) if key is None else delete(_CACHE).where(_CACHE.c.key == key)
            counted.append(conn.execute(stmt).rowcount)

        batch = WriteBatch()
        batch.steps.append(remove)
        await self._writer.write(batch)
        return counted[0] if counted else 0

    async def size(self) -> tuple[int, int]:
        return await asyncio.to_thread(self._size)

    async def aclose(self) -> None:
        """The engine belongs to the container; nothing to release here."""

    @retryable
    def _get(self, key: str) -> tuple[bytes, int] | None:
        stmt = select(_CACHE.c.value, _CACHE.c.stored_ns).where(_CACHE.c.key == key)
        with self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else (bytes(row[0]), int(row[1]))

    @retryable
    def _items(self) -> list[tuple[str, bytes, int]]:
        stmt = select(_CACHE.c.key, _CACHE.c.value, _CACHE.c.stored_ns).order_by(_CACHE.c.key)
        with self._engine.connect() as conn:
            return [(k, bytes(v), int(s)) for k, v, s in conn.execute(stmt)]

    @retryable
    def _size(self) -> tuple[int, int]:
        stmt = select(func.count(), func.coalesce(func.sum(func.length(_CACHE.c.value)), 0))
        with self._engine.connect() as conn:
            count, size = conn.execute(stmt).one()
        return int(count), int(size)


class SqlWatchlistStore:
    """The watchlist in the ``watchlist`` table."""

    def __init__(self, engine: Engine, writer: GroupCommitWriter) -> None:
        self._engine = engine
        self._writer = writer

    async def load(self) -> list[tuple[str, bool]]:
        @retryable
        def read() -> list[tuple[str, bool]]:
            stmt = select(_WATCHLIST.c.ticker, _WATCHLIST.c.protected).order_by(
                _WATCHLIST.c.added_ns, _WATCHLIST.c.ticker
            )
            with self._engine.connect() as conn:
                return [(t, bool(p)) for t, p in conn.execute(stmt)]

        return await asyncio.to_thread(read)

    async def add(self, ticker: str, protected: bool, added_ns: int) -> None:
        def insert(conn: Connection) -> None:
            exists = conn.execute(
                select(_WATCHLIST.c.ticker).where(_WATCHLIST.c.ticker == ticker)
            ).first()
            if exists is None:
                conn.execute(
                    _WATCHLIST.insert(),
                    {"ticker": ticker, "protected": protected, "added_ns": added_ns},
                )

        batch = WriteBatch()
        batch.steps.append(insert)
        await self._writer.write(batch)

    async def remove(self, ticker: str) -> None:
        batch = WriteBatch()
        batch.steps.append(
            lambda conn: conn.execute(delete(_WATCHLIST).where(_WATCHLIST.c.ticker == ticker))
        )
        await self._writer.write(batch)
