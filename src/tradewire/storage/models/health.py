"""The write probe's table: one row, replaced to prove the database takes writes again."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from tradewire.storage.models.base import Base


class WriteProbeRow(Base):
    """When the database last took a probe write."""

    __tablename__ = "write_probe"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    written_ns: Mapped[int] = mapped_column(BigInteger)
