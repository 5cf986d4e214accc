"""In-memory state of the tape service: recent ids for duplicate checks, the live buffer.

:class:`RecentIds` answers "is this id stored?" without touching the database for every print
whose time is inside the window (the common case: the page re-sends what it showed a second
ago). It holds every stored id whose ``ts`` is at or after :attr:`RecentIds.horizon_ns`, and
only those may be answered from memory; older prints (a late batch, a replay) are checked in the
store. The horizon only moves forward, so an id once inside can only leave once its ``ts`` is
older than every future question the memory answers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from tradewire.core.events import TapeTrade


class RecentIds:
    """The ids of stored rows with ``ts >= horizon_ns``, where horizon is ``now - window``."""

    def __init__(self, window_ns: int) -> None:
        self._window = window_ns
        self._ids: set[str] = set()
        self._order: deque[tuple[int, str]] = deque()
        self.horizon_ns = 0

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, row_id: str) -> bool:
        return row_id in self._ids

    def advance(self, now_ns: int) -> None:
        """Move the horizon to ``now - window`` (never backwards) and forget older ids."""
        horizon = now_ns - self._window
        if horizon <= self.horizon_ns:
            return
        self.horizon_ns = horizon
        order, ids = self._order, self._ids
        while order and order[0][0] < horizon:
            ids.discard(order.popleft()[1])

    def covers(self, ts_ns: int) -> bool:
        """Whether memory alone can answer for a print at ``ts_ns``."""
        return ts_ns >= self.horizon_ns

    def add(self, entries: Iterable[tuple[str, int]]) -> None:
        """Remember ``(id, ts_ns)`` of stored rows inside the window."""
        horizon = self.horizon_ns
        for row_id, ts_ns in entries:
            if ts_ns >= horizon and row_id not in self._ids:
                self._ids.add(row_id)
                self._order.append((ts_ns, row_id))

    def discard(self, row_ids: Iterable[str]) -> None:
        """Forget ids whose write failed (their deque entries age out harmlessly)."""
        self._ids.difference_update(row_ids)


class LiveBuffer:
    """The newest ``size`` trades per account, for the live data endpoint."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._by_account: dict[str, deque[TapeTrade]] = {}

    @property
    def size(self) -> int:
        return self._size

    def resize(self, size: int) -> None:
        """Change the capacity, keeping the newest rows."""
        self._size = size
        for account, rows in self._by_account.items():
            self._by_account[account] = deque(rows, maxlen=size)

    def extend(self, trades: Iterable[TapeTrade]) -> None:
        for trade in trades:
            rows = self._by_account.get(trade.account)
            if rows is None:
                rows = self._by_account[trade.account] = deque(maxlen=self._size)
            rows.append(trade)

    def fill(self) -> dict[str, int]:
        """Rows held per account."""
        return {account: len(rows) for account, rows in self._by_account.items()}

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_account))

    def recent(
        self, *, account: str | None = None, symbol: str | None = None, limit: int = 500
    ) -> list[TapeTrade]:
        """Newest first, filtered by account and symbol."""
        if account is not None:
            pools = [self._by_account.get(account, ())]
        else:
            pools = list(self._by_account.values())
        rows = [t for pool in pools for t in pool if symbol is None or t.symbol == symbol]
        rows.sort(key=lambda t: (t.ts_ns, t.accumulated_volume or 0.0), reverse=True)
        return rows[:limit]
