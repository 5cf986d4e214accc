"""The trade journal's table: every trading event of every account, in order.

``seq`` numbers an account's events from 1; ``(account, seq)`` is unique, so two writers that
ever disagreed about the next number fail a write instead of interleaving an account's history.
The event itself is ``payload``, the codec's JSON as text (exact Decimal digits on every
database); ``kind`` and ``ts_event`` are copies for queries.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class TradeEventRow(Base):
    """One trading event of one account."""

    __tablename__ = "trade_events"
    __table_args__ = (UniqueConstraint("account", "seq", name="uq_trade_events_account_seq"),)

    # SQLite numbers only an INTEGER primary key by itself.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    account: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    ts_event: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
