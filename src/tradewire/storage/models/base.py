"""Declarative base. Timestamps are epoch nanoseconds (``*_ns``) for exact ordering and speed."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every tradewire table."""
