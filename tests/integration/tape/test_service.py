"""The tape service on both databases: duplicates, order, restarts, DST, retention, config."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from tests.support.tape import message, row
from tradewire.core.clock import TestClock
from tradewire.core.events import ScraperConfigChanged, TapeBatch, TapeCandle, TapeStored
from tradewire.tape.clock import ExchangeClock, to_ns
from tradewire.tape.config import ScraperSettings
from tradewire.tape.normalise import Normaliser
from tradewire.tape.ports import TradeQuery
from tradewire.tape.schema import decode_scraped

S = 1_000_000_000


def batch(rows, **kw) -> TapeBatch:
    return decode_scraped(message(rows, **kw), source="test", received_ns=time.time_ns())


def now_ms_aligned() -> int:
    return time.time_ns() // 1_000_000 * 1_000_000 - 60 * S


async def test_identical_prints_are_kept_and_copies_suppressed(tape_factory):
    rig = await tape_factory()
    t = now_ms_aligned()
    rows = [row(t, 2), row(t, 4), row(t, 6), row(t + S, 7, size=1)]  # three identical prints
    first = await rig.service.ingest(batch(rows))
    assert (first.accepted, first.duplicates, first.rejected) == (4, 0, 0)
    again = await rig.service.ingest(batch([*rows, row(t + 2 * S, 8)]))
    assert (again.accepted, again.duplicates) == (1, 4)
    assert {r.status for r in again.rows} == {"duplicate"}
    assert rig.store.count(TradeQuery()) == 5
    assert sum(len(e.trades) for e in rig.of(TapeStored)) == 5


async def test_out_of_order_and_overlapping_batches(tape_factory):
    rig = await tape_factory()
    t = now_ms_aligned()
    rows = [row(t + i * S, i + 1) for i in range(10)]
    late = await rig.service.ingest(batch(rows[5:]))
    early = await rig.service.ingest(batch(rows[:7]))
    assert (late.accepted, early.accepted, early.duplicates) == (5, 5, 2)
    stored = [r for chunk in rig.store.iter_rows(TradeQuery()) for r in chunk]
    assert [r[6] for r in stored] == [float(i + 1) for i in range(10)]  # time order


async def test_concurrent_copies_store_one_row(tape_factory):
    rig = await tape_factory()
    t = now_ms_aligned()
    rows = [row(t + i * 1_000_000, i + 1) for i in range(50)]
    results = await asyncio.gather(*(rig.service.ingest(batch(rows)) for _ in range(4)))
    assert sum(r.accepted for r in results) == 50
    assert sum(r.duplicates for r in results) == 150
    assert rig.store.count(TradeQuery()) == 50


async def test_restart_remembers_recent_and_old_prints(tape_factory):
    rig = await tape_factory()
    recent_t = now_ms_aligned()
    old_t = recent_t - 3 * 86_400 * S  # outside the in-memory window: checked in the store
    await rig.service.ingest(batch([row(recent_t, 1), row(old_t, 1, price=25000.0)]))
    await rig.service.stop()
    restarted = await tape_factory()
    result = await restarted.service.ingest(batch([row(recent_t, 1), row(old_t, 1, price=25000.0)]))
    assert (result.accepted, result.duplicates) == (0, 2)
    assert len(restarted.service.buffer.recent()) == 2


async def test_malformed_rows_are_rejected_with_source_indexes(tape_factory):
    rig = await tape_factory()
    t = now_ms_aligned()
    rows = [row(t, 1), {"price": "x"}, row(t, 2, timestamp="02:30:00.000 3/9/25"), row(t, 3)]
    result = await rig.service.ingest(batch(rows))
    assert (result.accepted, result.rejected) == (2, 2)
    assert [(r.index, r.status) for r in result.rows] == [(1, "rejected"), (2, "rejected")]
    assert "daylight-saving gap" in result.rows[1].reason


async def test_daylight_saving_boundaries_store_the_right_utc_times(tape_factory):
    clock = TestClock(to_ns(datetime(2025, 11, 3, tzinfo=UTC)))
    rig = await tape_factory(clock=clock, scraper=ScraperSettings(days_to_keep=365))
    autumn = [
        row(0, 1, timestamp="01:30:00.000 11/2/25", captured_at="2025-11-02T06:30:01.000Z"),
        row(0, 2, timestamp="01:30:00.000 11/2/25", captured_at="2025-11-02T07:30:01.000Z"),
    ]
    spring = [
        row(0, 3, timestamp="01:59:59.000 3/9/25"),
        row(0, 4, timestamp="03:00:00.000 3/9/25"),
    ]
    result = await rig.service.ingest(batch(autumn + spring))
    assert result.accepted == 4
    stored = sorted(r[1] for chunk in rig.store.iter_rows(TradeQuery()) for r in chunk)
    expected = [
        datetime(2025, 3, 9, 7, 59, 59, tzinfo=UTC),
        datetime(2025, 3, 9, 8, 0, 0, tzinfo=UTC),
        datetime(2025, 11, 2, 6, 30, tzinfo=UTC),
        datetime(2025, 11, 2, 7, 30, tzinfo=UTC),
    ]
    assert stored == [to_ns(d) for d in expected]


async def test_retention_deletes_expired_rows_and_refuses_expired_prints(tape_factory):
    clock = TestClock(time.time_ns())
    rig = await tape_factory(clock=clock)
    t = now_ms_aligned()
    result = await rig.service.ingest(
        batch([row(t - 10 * 86_400 * S, 1), row(t - 2 * 86_400 * S, 2), row(t, 3)])
    )
    assert (result.accepted, result.rejected) == (2, 1)
    assert "days_to_keep" in result.rows[0].reason
    clock.advance(6 * 86_400)
    assert await rig.service.clean() == 1  # days_to_keep 7: the 8-day-old row goes
    assert await rig.service.clean(days_to_keep=7) == 0
    assert rig.store.count(TradeQuery()) == 1
    clock.advance(2 * 86_400)
    assert await rig.service.clean() == 1
    assert rig.store.count(TradeQuery()) == 0
    # Large deletes go in small transactions so the writer is never locked out for long.
    old = batch([row(t - 30 * 86_400 * S + i * S, i + 1) for i in range(5)])
    rig.store.write_now(Normaliser(ExchangeClock("America/Chicago")).normalise(old).trades)
    assert rig.store.delete_before(t, chunk=2) == 5


async def test_config_is_persisted_applied_and_announced(tape_factory):
    rig = await tape_factory()
    changed = await rig.service.set_config(
        ScraperSettings(enabled=True, interval=500, buffer_size=2)
    )
    assert changed == ["enabled", "interval", "buffer_size"]
    (event,) = rig.of(ScraperConfigChanged)
    assert (event.enabled, event.interval, event.buffer_size) == (True, 500, 2)
    assert await rig.service.set_config(rig.service.config) == []
    await rig.service.stop()
    restarted = await tape_factory()
    assert restarted.service.config.interval == 500
    assert restarted.service.buffer.size == 2


async def test_bus_batches_are_ingested_and_candles_published(tape_factory):
    rig = await tape_factory()
    t = now_ms_aligned() // (60 * S) * (60 * S)
    await rig.bus.execute(batch([row(t + S, 1, price=100.0), row(t + 2 * S, 3, price=101.0)]))
    await rig.bus.execute(batch([row(t + 61 * S, 4, price=102.0, size=1)]))
    assert rig.store.count(TradeQuery(symbol="NQZ5")) == 3
    closed = [c for c in rig.of(TapeCandle) if c.closed]
    assert [(c.open, c.close, c.volume, c.ts_event) for c in closed] == [(100.0, 101.0, 4.0, t)]
    built = rig.service.candles("NQZ5", 60, t, None)
    assert [(c.high, c.volume) for c in built] == [(101.0, 4.0), (102.0, 1.0)]


async def test_free_text_needing_escapes_and_rows_stored_by_another_writer(tape_factory):
    rig = await tape_factory()
    t = now_ms_aligned()
    odd = "desk\\one\ttab"
    rows = [row(t, 1, captured_at="2025-01-01T00:00:00Z\nx"), row(t, 2)]
    result = await rig.service.ingest(batch(rows, account=odd))
    assert result.accepted == 2
    stored = [r for chunk in rig.store.iter_rows(TradeQuery(account=odd)) for r in chunk]
    assert (odd, "2025-01-01T00:00:00Z\nx") in {(r[9], r[10]) for r in stored}
    # Another process already wrote some of these rows: the bulk load skips them, adds the rest.
    trades = rig.service.buffer.recent(account=odd)
    more = batch([row(t, 3)], account=odd)
    extra = Normaliser(ExchangeClock("America/Chicago")).normalise(more).trades
    rig.store.write_now([*trades, *extra])
    assert rig.store.count(TradeQuery(account=odd)) == 3
