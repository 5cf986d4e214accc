"""Market data tables: the snapshot cache and the watchlist."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class MarketCacheRow(Base):
    """The latest market snapshot of one ticker (encoded), with when it was stored."""

    __tablename__ = "marketdata_cache"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    stored_ns: Mapped[int] = mapped_column(BigInteger)


class WatchlistRow(Base):
    """One ticker the collector tracks."""

    __tablename__ = "watchlist"

    ticker: Mapped[str] = mapped_column(String(16), primary_key=True)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    added_ns: Mapped[int] = mapped_column(BigInteger)
