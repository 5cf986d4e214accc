"""Message bus dispatch, ids and timestamps."""

import asyncio
import time

from tradewire.core import ids
from tradewire.core.bus import MessageBus
from tradewire.core.clock import iso_utc
from tradewire.core.events import Event
from tradewire.core.ids import new_id, stable_id


class Base(Event):
    pass


class Child(Base):
    pass


async def test_handlers_receive_subclasses_and_a_failing_handler_does_not_stop_others():
    bus = MessageBus()
    seen = []

    async def boom(_event):
        raise RuntimeError("sink down")

    bus.subscribe(Base, boom)
    bus.subscribe(Base, seen.append)
    await bus.publish(Child(ts_event=1, ts_init=1))
    assert len(seen) == 1
    bus.unsubscribe(Base, seen.append)
    await bus.publish(Child(ts_event=1, ts_init=1))
    assert len(seen) == 1


async def test_publish_nowait_runs_sync_handlers_at_once_and_async_ones_as_tasks():
    bus = MessageBus()
    order = []

    async def later(event):
        order.append(("async", event.ts_event))

    def failing(_event):
        raise RuntimeError("sink down")

    async def failing_later(_event):
        raise RuntimeError("sink down later")

    bus.subscribe(Base, later)
    bus.subscribe(Base, failing)
    bus.subscribe(Base, failing_later)
    bus.subscribe(Base, lambda event: order.append(("sync", event.ts_event)))
    bus.publish_nowait(Child(ts_event=7, ts_init=7))
    assert order == [("sync", 7)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert order == [("sync", 7), ("async", 7)]


def test_ids_are_unique_sortable_and_stable_ids_deterministic():
    ids = [new_id() for _ in range(10_000)]
    assert len(set(ids)) == 10_000 and ids == sorted(ids)
    assert all(len(i) == 26 for i in ids)
    assert stable_id("a", 1) == stable_id("a", 1) != stable_id("a", "1")
    alphabet = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert all(set(i) <= alphabet for i in ids)
    # The first 10 digits are the creation time in milliseconds.
    digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    created_ms = 0
    for c in ids[-1][:10]:
        created_ms = created_ms * 32 + digits.index(c)
    assert abs(created_ms - time.time_ns() // 1_000_000) < 60_000


def test_new_id_encodes_time_and_randomness_in_crockford_base32(monkeypatch):
    monkeypatch.setattr(ids, "_last_ms", 0)
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_469_918_176_385 * 1_000_000)
    monkeypatch.setattr(ids.os, "urandom", lambda n: bytes(range(1, n + 1)))
    # The ULID specification's example time, then 80 bits of 0x0102…0A.
    assert ids.new_id() == "01ARYZ6S41" + "041061050R3GG28A"
    assert ids.new_id() == "01ARYZ6S41" + "041061050R3GG28B"  # same millisecond: random + 1


def test_stable_ids_do_not_change_between_versions():
    # Stored duplicate-suppression keys and tape ids depend on these exact digests.
    parts = ("BTC/USDT", None, "LONG", 45000.0, (46000.0,), 44500.0, "", None)
    assert stable_id(*parts) == "55942f3b427d9b14fb48e60b8deb0a93"


def test_iso_utc_truncates_to_the_millisecond_exactly():
    assert iso_utc(0) == "1970-01-01T00:00:00.000Z"
    # A float conversion would round this up into the next second.
    assert iso_utc(1_700_000_000_999_999_999) == "2023-11-14T22:13:20.999Z"
    assert iso_utc(1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123Z"
    # The same second again, the next one, and back: each formatted as itself.
    assert iso_utc(1_700_000_000_500_000_000) == "2023-11-14T22:13:20.500Z"
    assert iso_utc(1_700_000_001_000_000_000) == "2023-11-14T22:13:21.000Z"
    assert iso_utc(1_700_000_000_001_000_000) == "2023-11-14T22:13:20.001Z"
