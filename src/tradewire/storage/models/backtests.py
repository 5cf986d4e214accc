"""The backtests table: every finished backtest, whole, with copies of its headline figures.

``result`` is the backtest codec's JSON as text (exact Decimal digits on every database); the
other columns are copies for listing and querying without reading it. Money is text, the
Decimal's exact digits, as in the users table.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class BacktestRow(Base):
    """One finished backtest."""

    __tablename__ = "backtests"
    __table_args__ = (Index("ix_backtests_created_ns", "created_ns"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_ns: Mapped[int] = mapped_column(BigInteger)
    strategy: Mapped[str] = mapped_column(String(100))
    #: The symbols, comma-separated, in the order they were loaded.
    symbols: Mapped[str] = mapped_column(Text)
    start_ns: Mapped[int] = mapped_column(BigInteger)
    end_ns: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(16))
    trades: Mapped[int] = mapped_column(Integer)
    net_pnl: Mapped[str] = mapped_column(String(60))
    return_pct: Mapped[float] = mapped_column(Float)
    sharpe: Mapped[float | None] = mapped_column(Float)
    max_drawdown_pct: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(Text)
