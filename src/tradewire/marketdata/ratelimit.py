"""A sliding-window call budget shared by every caller of a provider.

A leaky or token bucket refills continuously, so after an idle spell it lets a burst through
that can put more than ``limit`` calls into some ``window``; providers count calls per sliding
window, so that draws 429s. This limiter keeps the finish time of the last ``limit`` calls and
starts a call only when the oldest of them finished more than ``window`` ago. Because a slot is
freed from the moment the earlier call *finished*, the provider — which sees each call between
its start and its finish — can never count more than ``limit`` calls in any ``window``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType


class SlidingWindowLimiter:
    """Allow at most ``limit`` calls in any ``window`` seconds, across all tasks.

    Use as ``async with limiter: ...`` around exactly one provider call. ``clock`` and
    ``sleep`` are injectable so tests can run hours of traffic in virtual time.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        # Finish times of completed calls, oldest first; calls in flight hold a slot too.
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._lock = asyncio.Lock()
        self._freed = asyncio.Event()
        self.calls = 0

    def used(self) -> int:
        """Return how many calls count against the current window (finished or in flight)."""
        self._expire(self._clock())
        return len(self._finished) + self._in_flight

    async def acquire(self) -> None:
        """Wait until a call may start without breaking the window, then take a slot."""
        # The lock makes waiters queue in arrival order: no caller is starved.
        async with self._lock:
            while True:
                now = self._clock()
                self._expire(now)
                if len(self._finished) + self._in_flight < self.limit:
                    self._in_flight += 1
                    self.calls += 1
                    return
                if self._finished:
                    # A hair past the boundary so the provider's window has surely moved on.
                    await self._sleep(self._finished[0] + self.window - now + 1e-3)
                else:
                    # Every slot is in flight: wait for one to finish.
                    self._freed.clear()
                    await self._freed.wait()

    def release(self) -> None:
        """Mark the call started by :meth:`acquire` as finished now."""
        self._in_flight -= 1
        self._finished.append(self._clock())
        self._freed.set()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def _expire(self, now: float) -> None:
        while self._finished and self._finished[0] + self.window < now:
            self._finished.popleft()
