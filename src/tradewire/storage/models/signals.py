"""Alert and signal tables."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class AlertRow(Base):
    """Every raw alert received, parsed or not, with what became of it."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts_ns: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(String(100))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    signal_id: Mapped[str | None] = mapped_column(String(32))
    duplicate_of: Mapped[str | None] = mapped_column(String(32))
    ocr_confidence: Mapped[float | None] = mapped_column(Float)


class SignalRow(Base):
    """A validated, non-duplicate signal."""

    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_pair_ts", "pair", "ts_ns"),
        Index("ix_signals_strategy_ts", "strategy", "ts_ns"),
        Index("ix_signals_dedupe_ts", "dedupe_key", "ts_ns"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(32))
    ts_ns: Mapped[int] = mapped_column(BigInteger, index=True)
    ts_parsed_ns: Mapped[int] = mapped_column(BigInteger)
    pair: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(8), server_default="open")
    side: Mapped[str | None] = mapped_column(String(8))
    entry: Mapped[float | None] = mapped_column(Float)
    entry_levels: Mapped[list[float] | None] = mapped_column(JSON)
    take_profit: Mapped[list[float]] = mapped_column(JSON)
    stop_loss: Mapped[float | None] = mapped_column(Float)
    strategy: Mapped[str | None] = mapped_column(String(200))
    qty: Mapped[float | None] = mapped_column(Float)
    qty_unit: Mapped[str | None] = mapped_column(String(16))
    levels_from: Mapped[str | None] = mapped_column(String(8))
    symbol: Mapped[str | None] = mapped_column(String(64))
    exchange: Mapped[str | None] = mapped_column(String(64))
    contract: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(64))
    raw_text: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    account: Mapped[str | None] = mapped_column(String(100))
    dedupe_key: Mapped[str] = mapped_column(String(64))
