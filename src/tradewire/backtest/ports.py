"""Where finished backtests are kept: the port, and the summary a listing shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from tradewire.backtest.model import BacktestResult


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestSummary:
    """One stored backtest as a listing shows it: what ran, over what, and its headline
    figures (the whole result is :meth:`BacktestStore.get`)."""

    id: str
    created_ns: int
    strategy: str
    symbols: tuple[str, ...]
    start_ns: int
    end_ns: int
    trades: int
    net_pnl: Decimal
    currency: str
    return_pct: float
    sharpe: float | None
    max_drawdown_pct: float

    @classmethod
    def of(cls, result: BacktestResult) -> BacktestSummary:
        """Return the summary of ``result``."""
        s, m = result.settings, result.metrics
        return cls(
            id=result.id,
            created_ns=result.created_ns,
            strategy=s.strategy,
            symbols=s.symbols,
            start_ns=s.start_ns,
            end_ns=s.end_ns,
            trades=m.trades,
            net_pnl=m.net_pnl,
            currency=s.currency,
            return_pct=m.return_pct,
            sharpe=m.sharpe,
            max_drawdown_pct=m.max_drawdown_pct,
        )


class BacktestStore(Protocol):
    """Finished backtests, kept whole."""

    async def save(self, result: BacktestResult) -> None:
        """Keep ``result`` (ConflictError if a result with its id is kept already)."""
        ...

    async def list(self, limit: int = 50) -> list[BacktestSummary]:
        """Return the summaries of the latest ``limit`` results, newest first."""
        ...

    async def get(self, id: str) -> BacktestResult | None:
        """Return the result called ``id``, or None if there is none."""
        ...
