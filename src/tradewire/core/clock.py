"""Clocks. Timestamps are integer nanoseconds since the Unix epoch (UTC)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current time."""

    def now_ns(self) -> int: ...


class LiveClock:
    """The system's wall clock."""

    def now_ns(self) -> int:
        return time.time_ns()


class TestClock:
    """A clock that moves only when told to."""

    __test__ = False  # not a pytest class

    def __init__(self, start_ns: int = 1_700_000_000_000_000_000) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += int(seconds * 1e9)


def ns_to_ms(ns: int) -> int:
    """Convert nanoseconds to whole milliseconds."""
    return ns // 1_000_000


def ns_to_datetime(ns: int) -> datetime:
    """Convert epoch nanoseconds to an aware UTC datetime."""
    return datetime.fromtimestamp(ns / 1e9, tz=UTC)


def datetime_to_ns(value: datetime) -> int:
    """Convert an aware datetime (naive is taken as UTC) to epoch nanoseconds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1_000_000) * 1000


#: The last whole second formatted, and its text: timestamps come in runs within one second.
_formatted_second: tuple[int, str] = (-1, "")


def iso_utc(ns: int) -> str:
    """Format epoch nanoseconds as ISO 8601 UTC with milliseconds (truncated) and a ``Z``."""
    global _formatted_second
    seconds, rest = divmod(ns, 1_000_000_000)
    cached, text = _formatted_second
    if seconds != cached:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _formatted_second = (seconds, text)  # one assignment: threads see a matching pair
    return f"{text}.{rest // 1_000_000:03d}Z"
