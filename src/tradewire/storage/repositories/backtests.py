"""Finished backtests in the ``backtests`` table (implements
:class:`tradewire.backtest.ports.BacktestStore`).

A result is one row, written in its own transaction: a backtest ends once, so there is nothing
to batch, and the caller learns at once whether it was kept. The row is inserted with ON
CONFLICT DO NOTHING, so a second result with a taken id is refused by a count, not by an error
that would also cover a broken database.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import orjson
from sqlalchemy import Connection, Engine, Insert, select
from sqlalchemy.dialects import postgresql, sqlite

from tradewire.backtest import codec
from tradewire.backtest.model import BacktestResult
from tradewire.backtest.ports import BacktestSummary
from tradewire.core.errors import ConflictError, ValidationError
from tradewire.storage.errors import retryable
from tradewire.storage.models import BacktestRow

_BACKTESTS = BacktestRow.__table__
_SUMMARY = tuple(c for c in _BACKTESTS.c if c.name != "result")
_ID_MAX = _BACKTESTS.c.id.type.length


class SqlBacktestStore:
    """Keep finished backtests in SQL (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def save(self, result: BacktestResult) -> None:
        """Keep ``result``; ConflictError if its id is taken, ValidationError if it cannot be
        encoded or its id is not 1 to 40 characters (nothing is written)."""
        if not result.id or len(result.id) > _ID_MAX:
            raise ValidationError(f"a backtest id is 1 to {_ID_MAX} characters")
        summary = BacktestSummary.of(result)
        row = {
            "id": summary.id,
            "created_ns": summary.created_ns,
            "strategy": summary.strategy,
            "symbols": ",".join(summary.symbols),
            "start_ns": summary.start_ns,
            "end_ns": summary.end_ns,
            "currency": summary.currency,
            "trades": summary.trades,
            "net_pnl": str(summary.net_pnl),
            "return_pct": summary.return_pct,
            "sharpe": summary.sharpe,
            "max_drawdown_pct": summary.max_drawdown_pct,
            "result": orjson.dumps(codec.to_dict(result)).decode(),
        }

        @retryable
        def write() -> int:
            with self._engine.begin() as conn:
                return len(conn.execute(_insert_new(conn).values(row)).all())

        if not await asyncio.to_thread(write):
            raise ConflictError(f"a backtest called {result.id!r} is stored already")

    async def list(self, limit: int = 50) -> list[BacktestSummary]:
        """Return the latest ``limit`` backtests' summaries, newest first."""
        stmt = (
            select(*_SUMMARY)
            .order_by(_BACKTESTS.c.created_ns.desc(), _BACKTESTS.c.id.desc())
            .limit(max(limit, 0))
        )

        @retryable
        def read() -> list[BacktestSummary]:
            with self._engine.connect() as conn:
                return [_summary(row) for row in conn.execute(stmt).mappings()]

        return await asyncio.to_thread(read)

    async def get(self, id: str) -> BacktestResult | None:
        """Return the backtest called ``id``, or None (ValidationError if it cannot be read)."""

        @retryable
        def read() -> str | None:
            with self._engine.connect() as conn:
                stmt = select(_BACKTESTS.c.result).where(_BACKTESTS.c.id == id)
                return conn.execute(stmt).scalar_one_or_none()

        payload = await asyncio.to_thread(read)
        if payload is None:
            return None
        try:
            return codec.from_dict(orjson.loads(payload))
        except (orjson.JSONDecodeError, ValidationError) as exc:
            reason = exc.message if isinstance(exc, ValidationError) else str(exc)
            raise ValidationError(f"stored backtest {id!r} cannot be read: {reason}") from exc


def _insert_new(conn: Connection) -> Insert:
    """An insert that skips a taken id (each dialect spells it); RETURNING counts the rows,
    which the PostgreSQL driver does not report for an insert that skipped."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(_BACKTESTS).on_conflict_do_nothing(index_elements=["id"])
    return insert.returning(_BACKTESTS.c.id)


def _summary(row) -> BacktestSummary:
    return BacktestSummary(
        id=row["id"],
        created_ns=row["created_ns"],
        strategy=row["strategy"],
        symbols=tuple(row["symbols"].split(",")) if row["symbols"] else (),
        start_ns=row["start_ns"],
        end_ns=row["end_ns"],
        trades=row["trades"],
        net_pnl=Decimal(row["net_pnl"]),
        currency=row["currency"],
        return_pct=row["return_pct"],
        sharpe=row["sharpe"],
        max_drawdown_pct=row["max_drawdown_pct"],
    )
