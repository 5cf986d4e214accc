"""Trade-tape rows and the persisted scraper config."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class TapeTradeRow(Base):
    """One account's copy of one print (``id``: see tradewire.tape.normalise)."""

    __tablename__ = "tape_trades"
    __table_args__ = (
        Index("ix_tape_trades_ts", "ts_ns"),
        Index("ix_tape_trades_account_ts", "account", "ts_ns"),
        Index("ix_tape_trades_symbol_ts", "symbol", "ts_ns"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    market_id: Mapped[str] = mapped_column(String(32))
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    symbol: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(100))
    timestamp: Mapped[str] = mapped_column(String(64))
    price: Mapped[float] = mapped_column(Float)
    size: Mapped[float] = mapped_column(Float)
    accumulated_volume: Mapped[float | None] = mapped_column(Float)
    tick_direction: Mapped[str | None] = mapped_column(String(32))
    is_highlighted: Mapped[bool] = mapped_column(Boolean)
    captured_at: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    received_ns: Mapped[int] = mapped_column(BigInteger)


class ScraperConfigRow(Base):
    """The scraper settings last set through the API (one row, ``name='scraper'``)."""

    __tablename__ = "scraper_config"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    config: Mapped[dict] = mapped_column(JSON)
    updated_ns: Mapped[int] = mapped_column(BigInteger)
