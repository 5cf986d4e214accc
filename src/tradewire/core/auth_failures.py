"""Failed credentials per source address (webhook secrets, login passwords): counted, throttled
past a budget, logged sparingly.

Only failures are recorded. The webhook checks the secret first, so a sender with the right
one is never refused for what others sent from its address (TradingView posts every user's
alerts from the same four); a login asks :meth:`AuthFailures.retry_after` before it checks a
password, so an address past its budget gets no more guesses checked.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

#: The sliding window the budget is counted over. A failure leaves it with its bucket, so
#: 60 to 65 seconds after it was made.
WINDOW_S = 60.0
#: Failures are counted in buckets this long, so an address costs at most 14 of them.
BUCKET_S = 5.0
#: Addresses remembered at once. The one that failed least recently is forgotten first, so a
#: flood of addresses costs bounded memory: it can then escape the throttle, never the check
#: of the credential itself.
MAX_ADDRESSES = 4096
#: At most one log line per address per this many seconds, with the failures since the last.
LOG_INTERVAL_S = 60.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do about one failed attempt."""

    #: Whether the address is past its budget (answer 429).
    throttled: bool
    #: Whole seconds until the address is within its budget again (0 when not throttled).
    retry_after: int
    #: Failures from the address to log now, since its last line (0: stay quiet).
    to_log: int


class _Address:
    __slots__ = ("buckets", "in_window", "logged_at", "unlogged")

    def __init__(self) -> None:
        self.buckets: deque[list[int]] = deque()  # [bucket number, failures in it]
        self.in_window = 0
        self.logged_at: float | None = None
        self.unlogged = 0


class AuthFailures:
    """Record failed credentials per address and decide whether each one is throttled."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        if per_minute < 1:
            raise ValueError("the budget of failures per minute must be 1 or more")
        self._per_minute = per_minute
        self._clock = clock
        self._max_addresses = max_addresses
        self._addresses: OrderedDict[str, _Address] = OrderedDict()
        #: Failed attempts since start, and how many of them were answered as throttled.
        self.total = 0
        self.throttled = 0

    def record(self, address: str | None) -> Verdict:
        """Count one failed attempt from ``address`` and say whether it is throttled."""
        now = self._clock()
        state = self._state(address or "unknown")
        _expire(state, now)
        bucket = int(now // BUCKET_S)
        if state.buckets and state.buckets[-1][0] == bucket:
            state.buckets[-1][1] += 1
        else:
            state.buckets.append([bucket, 1])
        state.in_window += 1
        state.unlogged += 1
        self.total += 1
        throttled = state.in_window > self._per_minute
        if throttled:
            self.throttled += 1
        to_log = 0
        if state.logged_at is None or now - state.logged_at >= LOG_INTERVAL_S:
            to_log, state.unlogged, state.logged_at = state.unlogged, 0, now
        retry_after = _seconds_until_within(state, self._per_minute, now) if throttled else 0
        return Verdict(throttled=throttled, retry_after=retry_after, to_log=to_log)

    def retry_after(self, address: str | None) -> int:
        """Whole seconds until a failure from ``address`` would be within its budget again;
        0 when it would be now. Records nothing."""
        state = self._addresses.get(address or "unknown")
        if state is None:
            return 0
        now = self._clock()
        _expire(state, now)
        if state.in_window < self._per_minute:
            return 0
        return _seconds_until_within(state, self._per_minute, now)

    def _state(self, key: str) -> _Address:
        state = self._addresses.get(key)
        if state is None:
            state = self._addresses[key] = _Address()
            if len(self._addresses) > self._max_addresses:
                self._addresses.popitem(last=False)
        else:
            self._addresses.move_to_end(key)
        return state

    def __len__(self) -> int:
        return len(self._addresses)


def _expire(state: _Address, now: float) -> None:
    while state.buckets and _leaves_window_at(state.buckets[0][0]) <= now:
        state.in_window -= state.buckets.popleft()[1]


def _seconds_until_within(state: _Address, budget: int, now: float) -> int:
    # The oldest buckets leave the window first: wait for enough of them to take the count
    # below the budget, so that the next failure is no longer throttled.
    excess = state.in_window - budget + 1
    for bucket, failures in state.buckets:
        excess -= failures
        if excess <= 0:
            return max(1, math.ceil(_leaves_window_at(bucket) - now))
    raise AssertionError("unreachable: every failure leaving takes the count below a budget >= 1")


def _leaves_window_at(bucket: int) -> float:
    return (bucket + 1) * BUCKET_S + WINDOW_S
