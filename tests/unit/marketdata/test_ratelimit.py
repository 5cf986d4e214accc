"""The sliding-window limiter never lets more than ``limit`` calls into any window."""

from __future__ import annotations

import asyncio
import random

import pytest

from tradewire.marketdata.ratelimit import SlidingWindowLimiter


class VirtualTime:
    """A clock that only moves when the limiter sleeps (the limiter's lock lets one sleep)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def max_in_any_window(starts: list[float], finishes: list[float], window: float) -> int:
    """The most calls a provider could count in one window: a call is visible from its start
    to its finish, so count calls whose [start, finish] meets some [t - window, t]."""
    best = 0
    for t in finishes + starts:
        best = max(
            best,
            sum(1 for s, f in zip(starts, finishes, strict=True) if f >= t - window and s <= t),
        )
    return best


async def test_concurrent_callers_never_exceed_the_window() -> None:
    vt = VirtualTime()
    limiter = SlidingWindowLimiter(60, 60.0, clock=vt.clock, sleep=vt.sleep)
    starts: list[float] = []
    finishes: list[float] = []
    rng = random.Random(7)

    async def call() -> None:
        async with limiter:
            starts.append(vt.now)
            for _ in range(rng.randint(0, 3)):
                await asyncio.sleep(0)  # other tasks run while this call is in flight
            finishes.append(vt.now)

    await asyncio.gather(*(call() for _ in range(300)))
    assert len(starts) == 300
    assert max_in_any_window(starts, finishes, 60.0) <= 60


async def test_the_whole_budget_is_used() -> None:
    vt = VirtualTime()
    limiter = SlidingWindowLimiter(60, 60.0, clock=vt.clock, sleep=vt.sleep)
    starts: list[float] = []

    async def call() -> None:
        async with limiter:
            starts.append(vt.now)

    await asyncio.gather(*(call() for _ in range(300)))
    # Five full bursts of 60, one window apart: 300 calls take just over 4 windows.
    assert [starts.count(s) for s in sorted(set(starts))] == [60] * 5
    assert vt.now - 1000.0 < 4 * 60.0 + 1.0


async def test_a_burst_after_idle_is_still_bounded() -> None:
    vt = VirtualTime()
    limiter = SlidingWindowLimiter(5, 10.0, clock=vt.clock, sleep=vt.sleep)
    stamps: list[float] = []

    async def call() -> None:
        async with limiter:
            stamps.append(vt.now)

    await asyncio.gather(*(call() for _ in range(5)))
    vt.now += 9.0  # idle, but less than a window: a token bucket would have refilled
    await asyncio.gather(*(call() for _ in range(5)))
    assert stamps[:5] == [1000.0] * 5
    assert all(s > 1010.0 for s in stamps[5:])
    assert limiter.calls == 10


async def test_calls_in_flight_hold_their_slot() -> None:
    limiter = SlidingWindowLimiter(2, 0.05)
    gate = asyncio.Event()
    order: list[str] = []

    async def slow(name: str) -> None:
        async with limiter:
            order.append(name)
            await gate.wait()

    first = [asyncio.create_task(slow(n)) for n in ("a", "b")]
    third = asyncio.create_task(slow("c"))
    for _ in range(20):
        await asyncio.sleep(0)
    assert order == ["a", "b"] and limiter.used() == 2
    gate.set()
    await asyncio.gather(*first, third)
    assert order == ["a", "b", "c"]


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0, 60)
    with pytest.raises(ValueError):
        SlidingWindowLimiter(60, 0)
