"""Trade-tape persistence (implements tradewire.tape.ports.TapeStore).

Writes go through the group-commit writer as one custom step per batch: PostgreSQL bulk-loads
with ``COPY`` (falling back to a staging table and ``ON CONFLICT DO NOTHING`` if a row is already
there, e.g. written by another process), SQLite uses ``executemany`` with ``INSERT OR IGNORE``.
Either way a row whose id is stored already is skipped, never duplicated or overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, Engine, delete, func, insert, select

from tradewire.core.events import TapeTrade
from tradewire.settings import ScraperSettings
from tradewire.storage.models import ScraperConfigRow, TapeTradeRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch
from tradewire.tape.ports import ROW_FIELDS, StoreStats, TradeQuery

_TRADES = TapeTradeRow.__table__
_CONFIG = ScraperConfigRow.__table__
_COLUMNS = (
    "id",
    "market_id",
    "ts_ns",
    "symbol",
    "account",
    "timestamp",
    "price",
    "size",
    "accumulated_volume",
    "tick_direction",
    "is_highlighted",
    "captured_at",
    "source",
    "received_ns",
)
_COLUMN_LIST = ", ".join(_COLUMNS)
_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO tape_trades ({_COLUMN_LIST}) VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_PG_COPY = f"COPY tape_trades ({_COLUMN_LIST}) FROM STDIN"
_PG_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS tape_stage "
    "(LIKE tape_trades INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_PG_MERGE = (
    f"INSERT INTO tape_trades ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM tape_stage "
    "ON CONFLICT (id) DO NOTHING"
)
_LOOKUP_CHUNK = 500


def trade_tuple(t: TapeTrade) -> tuple:
    """The row of ``t`` in ``_COLUMNS`` order."""
    return (
        t.id,
        t.market_id,
        t.ts_ns,
        t.symbol,
        t.account,
        t.timestamp,
        t.price,
        t.size,
        t.accumulated_volume,
        t.tick_direction,
        t.is_highlighted,
        t.captured_at,
        t.source,
        t.received_ns,
    )


def _sqlite_step(rows: list[tuple]):
    def step(conn: Connection) -> None:
        conn.exec_driver_sql(_SQLITE_INSERT, rows)

    return step


def _copy(raw, statement: str, rows: list[tuple]) -> None:
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _postgres_step(rows: list[tuple]):
    def step(conn: Connection) -> None:
        import psycopg

        raw = conn.connection.driver_connection
        try:
            with conn.begin_nested():
                _copy(raw, _PG_COPY, rows)
            return
        except psycopg.errors.UniqueViolation:
            pass  # some row exists already: merge through the staging table instead
        conn.exec_driver_sql(_PG_STAGE)
        _copy(raw, "COPY tape_stage (" + _COLUMN_LIST + ") FROM STDIN", rows)
        conn.exec_driver_sql(_PG_MERGE)
        conn.exec_driver_sql("DELETE FROM tape_stage")

    return step


def row_to_trade(row) -> TapeTrade:
    """Rebuild a TapeTrade from a stored row mapping."""
    return TapeTrade(
        id=row["id"],
        market_id=row["market_id"],
        ts_ns=row["ts_ns"],
        symbol=row["symbol"],
        account=row["account"],
        timestamp=row["timestamp"],
        price=row["price"],
        size=row["size"],
        accumulated_volume=row["accumulated_volume"],
        tick_direction=row["tick_direction"],
        is_highlighted=bool(row["is_highlighted"]),
        captured_at=row["captured_at"],
        source=row["source"],
        received_ns=row["received_ns"],
    )


class SqlTapeStore:
    """Store tape rows in the SQL database through the group-commit writer."""

    def __init__(self, engine: Engine, writer: GroupCommitWriter | None = None) -> None:
        self._engine = engine
        self._writer = writer
        self._step = _postgres_step if engine.dialect.name == "postgresql" else _sqlite_step

    async def add(self, trades: Sequence[TapeTrade]) -> None:
        if self._writer is None:
            raise RuntimeError("this store was opened read-only")
        batch = WriteBatch()
        batch.steps.append(self._step([trade_tuple(t) for t in trades]))
        await self._writer.write(batch)

    async def barrier(self) -> None:
        if self._writer is not None:
            await self._writer.write(WriteBatch())

    def write_now(self, trades: Sequence[TapeTrade]) -> None:
        """Commit ``trades`` in this thread, without the writer (imports and benchmarks)."""
        with self._engine.begin() as conn:
            self._step([trade_tuple(t) for t in trades])(conn)

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._engine.connect() as conn:
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start : start + _LOOKUP_CHUNK]
                found.update(conn.scalars(select(_TRADES.c.id).where(_TRADES.c.id.in_(chunk))))
        return found

    def ids_since(self, since_ns: int) -> list[tuple[str, int]]:
        stmt = select(_TRADES.c.id, _TRADES.c.ts_ns).where(_TRADES.c.ts_ns >= since_ns)
        with self._engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(stmt)]

    def latest(self, limit: int) -> list[TapeTrade]:
        stmt = select(_TRADES).order_by(_TRADES.c.ts_ns.desc()).limit(limit)
        with self._engine.connect() as conn:
            return [row_to_trade(row) for row in conn.execute(stmt).mappings()]

    @staticmethod
    def _filtered(stmt, query: TradeQuery):
        if query.account is not None:
            stmt = stmt.where(_TRADES.c.account == query.account)
        if query.symbol is not None:
            stmt = stmt.where(_TRADES.c.symbol == query.symbol)
        if query.since_ns is not None:
            stmt = stmt.where(_TRADES.c.ts_ns >= query.since_ns)
        if query.until_ns is not None:
            stmt = stmt.where(_TRADES.c.ts_ns < query.until_ns)
        return stmt

    def iter_rows(self, query: TradeQuery, chunk: int = 10_000) -> Iterator[list[tuple]]:
        columns = [_TRADES.c[name] for name in ROW_FIELDS]
        stmt = self._filtered(select(*columns), query).order_by(_TRADES.c.ts_ns)
        with self._engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(stmt)
            yield from result.tuples().partitions(chunk)

    def count(self, query: TradeQuery) -> int:
        stmt = self._filtered(select(func.count()).select_from(_TRADES), query)
        with self._engine.connect() as conn:
            return int(conn.scalar(stmt) or 0)

    def stats(self, since_ns: int) -> StoreStats:
        with self._engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(_TRADES)) or 0
            since = conn.scalar(
                select(func.count()).select_from(_TRADES).where(_TRADES.c.ts_ns >= since_ns)
            )
            last = conn.scalar(select(func.max(_TRADES.c.ts_ns)))
            accounts = tuple(conn.scalars(select(_TRADES.c.account).distinct()))
        return StoreStats(int(total), int(since or 0), last, tuple(sorted(accounts)))

    def delete_before(self, before_ns: int) -> int:
        with self._engine.begin() as conn:
            return conn.execute(delete(_TRADES).where(_TRADES.c.ts_ns < before_ns)).rowcount

    def load_config(self) -> ScraperSettings | None:
        stmt = select(_CONFIG.c.config).where(_CONFIG.c.name == "scraper")
        with self._engine.connect() as conn:
            stored = conn.scalar(stmt)
        if stored is None:
            return None
        # Fields added in later versions take their defaults.
        return ScraperSettings.model_validate(
            {k: v for k, v in stored.items() if k in ScraperSettings.model_fields}
        )

    def save_config(self, config: ScraperSettings, ts_ns: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(_CONFIG).where(_CONFIG.c.name == "scraper"))
            conn.execute(
                insert(_CONFIG).values(name="scraper", config=config.model_dump(), updated_ns=ts_ns)
            )
