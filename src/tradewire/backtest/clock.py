"""The backtest's clock: it reads the time of the bar being replayed, and only moves forward."""

from __future__ import annotations


class SimulatedClock:
    """A clock the replay sets to each bar's time (port: :class:`~tradewire.core.clock.Clock`),
    so every order, fill and journal event carries the time it happened in the replay."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def set(self, ns: int) -> None:
        """Move to ``ns``; refuse to go back (that would be replaying the future first)."""
        if ns < self._now:
            raise ValueError(f"the clock cannot go back from {self._now} to {ns}")
        self._now = ns
