"""Trade-tape persistence (implements tradewire.tape.ports.TapeStore).

Writes go through the group-commit writer as one custom step per batch: PostgreSQL bulk-loads
with ``COPY`` (falling back to a staging table and ``ON CONFLICT DO NOTHING`` if a row is already
there, e.g. written by another process), SQLite uses ``executemany`` with ``INSERT OR IGNORE``.
Either way a row whose id is stored already is skipped, never duplicated or overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain

from sqlalchemy import Connection, Engine, delete, func, insert, select

from tradewire.core.events import TapeTrade
from tradewire.storage.errors import retryable, unavailable
from tradewire.storage.models import ScraperConfigRow, TapeTradeRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch
from tradewire.tape.config import ScraperSettings
from tradewire.tape.ports import ROW_FIELDS, StoreStats, TradeQuery

_TRADES = TapeTradeRow.__table__
_CONFIG = ScraperConfigRow.__table__
#: A TapeTrade is a NamedTuple whose fields are the table's columns, in this order: the trade
#: itself is the row to bind or COPY, with no per-row conversion.
_COLUMNS: tuple[str, ...] = TapeTrade._fields
_COLUMN_LIST = ", ".join(_COLUMNS)
_SQLITE_ROW = f"({', '.join('?' * len(_COLUMNS))})"
#: Rows per SQLite statement: 500 * 14 parameters stays far below SQLite's variable limit.
_SQLITE_CHUNK = 500
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
_NULL = "\\N"  # COPY text format's NULL


@lru_cache(maxsize=8)
def _sqlite_insert(n_rows: int) -> str:
    """``INSERT OR IGNORE`` of ``n_rows`` rows in one statement."""
    values = ", ".join([_SQLITE_ROW] * n_rows)
    return f"INSERT OR IGNORE INTO tape_trades ({_COLUMN_LIST}) VALUES {values}"


def _sqlite_step(rows: list[TapeTrade]):
    def step(conn: Connection) -> None:
        # One multi-row statement per chunk rather than executemany: the driver releases the
        # GIL around every statement it steps, so executemany hands the GIL back and forth
        # once per row while the event loop is busy, and each hand-back can wait for the
        # interpreter's switch interval. A chunk is bound in C and stepped in one go.
        cursor = conn.connection.driver_connection.cursor()
        try:
            for start in range(0, len(rows), _SQLITE_CHUNK):
                chunk = rows[start : start + _SQLITE_CHUNK]
                cursor.execute(_sqlite_insert(len(chunk)), list(chain.from_iterable(chunk)))
        finally:
            cursor.close()

    return step


def _copy_text(rows: list[tuple]) -> str | None:
    """The rows in COPY's text format, or None if a field needs escaping (then write_row does)."""
    text = "".join(
        [
            f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]!r}\t{r[7]!r}\t"
            f"{_NULL if r[8] is None else repr(r[8])}\t{_NULL if r[9] is None else r[9]}\t"
            f"{'t' if r[10] else 'f'}\t{_NULL if r[11] is None else r[11]}\t{r[12]}\t{r[13]}\n"
            for r in rows
        ]
    )
    # Formatting the block in one go is several times cheaper than a write_row per row; the
    # counts show whether any free-text field held a tab, line break or backslash.
    separators = len(_COLUMNS) - 1
    n = len(rows)
    if text.count("\t") != separators * n or text.count("\n") != n:
        return None
    if text.count("\\") != sum(1 for r in rows for i in (8, 9, 11) if r[i] is None):
        return None
    if "\r" in text:
        return None
    return text


def _copy(raw, statement: str, rows: list[tuple]) -> None:
    text = _copy_text(rows)
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        if text is not None:
            copy.write(text)
        else:
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
        batch.steps.append(self._step(list(trades)))
        await self._writer.write(batch)

    async def barrier(self) -> None:
        if self._writer is not None:
            await self._writer.write(WriteBatch())

    @retryable
    def write_now(self, trades: Sequence[TapeTrade]) -> None:
        """Commit ``trades`` in this thread, without the writer (imports and benchmarks)."""
        with self._engine.begin() as conn:
            self._step(list(trades))(conn)

    @retryable
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._engine.connect() as conn:
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start : start + _LOOKUP_CHUNK]
                found.update(conn.scalars(select(_TRADES.c.id).where(_TRADES.c.id.in_(chunk))))
        return found

    @retryable
    def ids_since(self, since_ns: int) -> list[tuple[str, int]]:
        stmt = select(_TRADES.c.id, _TRADES.c.ts_ns).where(_TRADES.c.ts_ns >= since_ns)
        with self._engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(stmt)]

    @retryable
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

    @retryable
    def iter_rows(
        self, query: TradeQuery, fields: Sequence[str] = ROW_FIELDS, chunk: int = 10_000
    ) -> Iterator[list[tuple]]:
        columns = [_TRADES.c[name] for name in fields]
        stmt = self._filtered(select(*columns), query).order_by(_TRADES.c.ts_ns)
        compiled = stmt.compile(dialect=self._engine.dialect)
        params = compiled.params
        if compiled.positiontup is not None:
            params = tuple(params[name] for name in compiled.positiontup)
        # Straight to the driver's cursor: exports read millions of rows, and plain tuples
        # from fetchmany are several times cheaper than result rows. On PostgreSQL a named
        # (server-side) cursor keeps the client's memory flat.
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            named = self._engine.dialect.name == "postgresql"
            cursor = raw.cursor(name="tape_export") if named else raw.cursor()
            try:
                if named:
                    cursor.itersize = chunk
                cursor.execute(str(compiled), params)
                while rows := cursor.fetchmany(chunk):
                    yield rows
            except Exception as exc:
                if unavailable(exc):
                    # The driver's cursor is below SQLAlchemy, which must be told that this
                    # connection is dead rather than find out by failing to reset it.
                    conn.invalidate()
                raise
            finally:
                cursor.close()

    @retryable
    def count(self, query: TradeQuery) -> int:
        stmt = self._filtered(select(func.count()).select_from(_TRADES), query)
        with self._engine.connect() as conn:
            return int(conn.scalar(stmt) or 0)

    @retryable
    def stats(self, since_ns: int) -> StoreStats:
        with self._engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(_TRADES)) or 0
            since = conn.scalar(
                select(func.count()).select_from(_TRADES).where(_TRADES.c.ts_ns >= since_ns)
            )
            last = conn.scalar(select(func.max(_TRADES.c.ts_ns)))
            accounts = tuple(conn.scalars(select(_TRADES.c.account).distinct()))
        return StoreStats(int(total), int(since or 0), last, tuple(sorted(accounts)))

    @retryable
    def delete_before(self, before_ns: int, chunk: int = 5_000) -> int:
        # Small transactions: one long delete would hold SQLite's write lock and stall the
        # group commit, breaking the promise that acknowledged prints are on disk within 1 s.
        expired = select(_TRADES.c.id).where(_TRADES.c.ts_ns < before_ns).limit(chunk)
        stmt = delete(_TRADES).where(_TRADES.c.id.in_(expired.scalar_subquery()))
        deleted = 0
        while True:
            with self._engine.begin() as conn:
                count = conn.execute(stmt).rowcount
            deleted += count
            if count < chunk:
                return deleted

    @retryable
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

    @retryable
    def save_config(self, config: ScraperSettings, ts_ns: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(_CONFIG).where(_CONFIG.c.name == "scraper"))
            conn.execute(
                insert(_CONFIG).values(name="scraper", config=config.model_dump(), updated_ns=ts_ns)
            )
