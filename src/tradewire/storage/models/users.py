"""The users table: who may sign in, with which role, and each user's trading settings.

Percentages are stored as text, the Decimal's exact digits: SQLite has no exact decimal type,
and a float would turn 0.1 into 0.1000000000000000055.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class UserRow(Base):
    """One user (the name is the subject of its tokens) and its settings."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    #: Argon2id, in the library's self-describing form; NULL: signs in with issued tokens only.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_ns: Mapped[int] = mapped_column(BigInteger)
    updated_ns: Mapped[int] = mapped_column(BigInteger)
    paper_trade_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    real_trade_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    strategies: Mapped[list[str]] = mapped_column(JSON)
    symbols: Mapped[list[str]] = mapped_column(JSON)
    risk_percent: Mapped[str] = mapped_column(String(40))
    max_notional_percent: Mapped[str] = mapped_column(String(40))
    default_stop_percent: Mapped[str | None] = mapped_column(String(40))
    opposite_signal: Mapped[str] = mapped_column(String(8))
    #: The weights as exact strings, nearest take-profit first; [] is equal shares.
    take_profit_weights: Mapped[list[str]] = mapped_column(JSON, default=list)
    break_even_after_first_take_profit: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Both NULL, or both set: no trailing stop, or its distance and unit (percent|ticks).
    trailing_stop_distance: Mapped[str | None] = mapped_column(String(40))
    trailing_stop_unit: Mapped[str | None] = mapped_column(String(8))
    reduce_percent: Mapped[str] = mapped_column(String(40), default="50")
