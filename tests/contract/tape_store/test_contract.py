"""TapeStore contract: rows are stored once per id, read back in time order through every
filter, counted, summarised and expired exactly; the scraper config is kept whole."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from tradewire.core.clock import iso_utc
from tradewire.core.events import InstrumentTab, TapeBatch, TapePrint, TapeTrade
from tradewire.demo.tape import page_time
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.config import ScraperSettings
from tradewire.tape.normalise import Normaliser
from tradewire.tape.ports import PRINT_FIELDS, ROW_FIELDS, StoreStats, TapeStore, TradeQuery

T0 = 1_759_931_545_037_000_000  # 2025-10-08 08:52:25.037 in Chicago, as the page shows it
MS = 1_000_000
NORMALISER = Normaliser(ExchangeClock("America/Chicago"))


def tape(
    n: int, *, account: str = "user1", symbol: str = "NQZ5", start: int = T0, step: int = 250 * MS
) -> list[TapeTrade]:
    """``n`` prints of one page, ``step`` apart, normalised as the service stores them."""
    prints = tuple(
        TapePrint(
            timestamp=page_time(start + i * step),
            price=25_146.0 + 0.25 * (i % 5),
            size=float(1 + i % 3),
            # Some pages show no accumulated volume, tick direction or capture time.
            accumulated_volume=None if i % 7 == 3 else 30.0 + 2 * i,
            tick_direction=None if i % 5 == 4 else ("up", "down", "flip-up")[i % 3],
            is_highlighted=i % 4 == 0,
            captured_at=None if i % 6 == 5 else iso_utc(start + i * step + 200 * MS),
        )
        for i in range(n)
    )
    batch = TapeBatch(
        ts_event=start + n * step + 300 * MS,
        ts_init=start + n * step + 300 * MS,
        account=account,
        source="cdp",
        prints=prints,
        tabs=(InstrumentTab(symbol=symbol, is_active=True),),
    )
    normalised = NORMALISER.normalise(batch)
    assert not normalised.rejected
    return list(normalised.trades)


def rows_of(trades: Sequence[TapeTrade], fields: Sequence[str] = ROW_FIELDS) -> list[tuple]:
    return [tuple(getattr(t, name) for name in fields) for t in trades]


def read(
    store: TapeStore, query: TradeQuery, fields: Sequence[str] = ROW_FIELDS, chunk: int = 10_000
) -> list[tuple]:
    """All rows ``iter_rows`` yields, checking each chunk holds 1 to ``chunk`` rows.

    ``is_highlighted`` is compared by truth: SQLite hands back 0/1 where PostgreSQL has a bool.
    """
    chunks = list(store.iter_rows(query, fields, chunk))
    assert all(0 < len(c) <= chunk for c in chunks)
    flag = fields.index("is_highlighted") if "is_highlighted" in fields else None
    return [
        tuple(bool(v) if i == flag else v for i, v in enumerate(row)) for c in chunks for row in c
    ]


def by_id(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: row[0])


async def test_added_rows_read_back_exactly(store: TapeStore) -> None:
    trades = tape(12, account="trader-é")

    await store.add(trades)

    assert store.latest(12) == trades[::-1]
    assert read(store, TradeQuery()) == rows_of(trades)


async def test_adding_stored_ids_again_skips_them_and_keeps_the_first_copy(
    store: TapeStore,
) -> None:
    first = tape(6)
    await store.add(first)
    # A re-scan of the page: the same prints (same ids) with another tick direction and
    # highlight, plus two new prints.
    rescan = [
        t._replace(tick_direction="unchanged", is_highlighted=not t.is_highlighted) for t in first
    ]
    new = tape(8)[6:]

    await store.add(rescan + new)

    assert store.count(TradeQuery()) == 8
    assert store.latest(8) == (first + new)[::-1]


async def test_repeats_of_an_id_in_one_batch_are_stored_once(store: TapeStore) -> None:
    trades = tape(3)
    copy = trades[1]._replace(tick_direction="unchanged")

    await store.add([trades[0], trades[1], copy, trades[2]])

    assert store.latest(10) == trades[::-1]


async def test_the_barrier_returns_after_earlier_adds_are_stored(store: TapeStore) -> None:
    trades = tape(300)
    adds = [asyncio.create_task(store.add(trades[i : i + 50])) for i in range(0, 300, 50)]
    await asyncio.sleep(0)  # one turn of the loop: every add has been handed to the store

    await store.barrier()

    assert store.existing_ids([t.id for t in trades]) == {t.id for t in trades}
    await asyncio.gather(*adds)


async def test_existing_ids_names_exactly_the_stored_ones(store: TapeStore) -> None:
    trades = tape(1_200)
    await store.add(trades[::2])

    found = store.existing_ids([t.id for t in trades])

    assert found == {t.id for t in trades[::2]}
    assert store.existing_ids([]) == set()


async def test_ids_since_includes_its_bound(store: TapeStore) -> None:
    trades = tape(10)
    await store.add(trades)

    since = store.ids_since(trades[4].ts_ns)

    assert sorted(since) == sorted((t.id, t.ts_ns) for t in trades[4:])
    assert store.ids_since(trades[-1].ts_ns + 1) == []


async def test_latest_is_newest_first_and_limited(store: TapeStore) -> None:
    trades = tape(20)
    await store.add(trades[10:] + trades[:10])

    assert store.latest(3) == trades[:-4:-1]
    assert store.latest(0) == []


async def test_rows_come_in_time_order_across_chunks(store: TapeStore) -> None:
    # Two accounts watch one contract: each keeps its copy, at the same instants.
    user1, user2 = tape(40, account="user1"), tape(40, account="user2")
    await store.add(user2[20:] + user1[::-1])
    await store.add(user2[:20])

    rows = read(store, TradeQuery(), chunk=7)

    times = [row[1] for row in rows]
    assert times == sorted(times)
    assert by_id(rows) == by_id(rows_of(user1 + user2))


QUERIES = {
    "everything": TradeQuery(),
    "account": TradeQuery(account="user2"),
    "symbol": TradeQuery(symbol="ESZ5"),
    "since, inclusive": TradeQuery(since_ns=T0 + 5_000 * MS),
    "until, exclusive": TradeQuery(until_ns=T0 + 5_000 * MS),
    "all four": TradeQuery(
        account="user1", symbol="NQZ5", since_ns=T0 + 2_500 * MS, until_ns=T0 + 7_500 * MS
    ),
    "nothing": TradeQuery(account="user3"),
}


def matches(trade: TapeTrade, query: TradeQuery) -> bool:
    return (
        query.account in (None, trade.account)
        and query.symbol in (None, trade.symbol)
        and (query.since_ns is None or trade.ts_ns >= query.since_ns)
        and (query.until_ns is None or trade.ts_ns < query.until_ns)
    )


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
async def test_each_filter_selects_and_counts_exactly_its_rows(
    store: TapeStore, query: TradeQuery
) -> None:
    # 40 prints each, 250 ms apart: T0 + 5 s and T0 + 2.5 s / 7.5 s fall on prints.
    trades = (
        tape(40, account="user1")
        + tape(40, account="user2")
        + tape(40, account="user1", symbol="ESZ5", start=T0 + 125 * MS)
    )
    await store.add(trades)
    expected = [t for t in trades if matches(t, query)]

    rows = read(store, query, chunk=16)

    assert by_id(rows) == by_id(rows_of(expected))
    assert [row[1] for row in rows] == sorted(t.ts_ns for t in expected)
    assert store.count(query) == len(expected)


@pytest.mark.parametrize("fields", [PRINT_FIELDS, ("price", "id", "is_highlighted")])
async def test_rows_hold_the_fields_asked_for_in_that_order(
    store: TapeStore, fields: tuple[str, ...]
) -> None:
    trades = tape(9)
    await store.add(trades)

    assert read(store, TradeQuery(), fields) == rows_of(trades, fields)


async def test_an_empty_store(store: TapeStore) -> None:
    await store.add([])

    assert list(store.iter_rows(TradeQuery())) == []
    assert store.count(TradeQuery()) == 0
    assert store.latest(5) == []
    assert store.stats(0) == StoreStats(total=0, since=0, last_ts_ns=None, accounts=())
    assert store.delete_before(T0) == 0
    assert store.load_config() is None


async def test_stats_count_from_since_and_list_accounts_sorted(store: TapeStore) -> None:
    trades = tape(10, account="zed") + tape(10, account="anna") + tape(3, account="Mike")
    await store.add(trades)

    stats = store.stats(trades[5].ts_ns)

    assert stats == StoreStats(
        total=23, since=10, last_ts_ns=trades[9].ts_ns, accounts=("Mike", "anna", "zed")
    )


async def test_delete_before_removes_exactly_the_older_rows(store: TapeStore) -> None:
    trades = tape(6_000, step=10 * MS)
    await store.add(trades)
    cutoff = trades[5_500].ts_ns

    deleted = store.delete_before(cutoff)

    assert deleted == 5_500
    assert store.existing_ids([t.id for t in trades]) == {t.id for t in trades[5_500:]}
    assert store.delete_before(cutoff) == 0


async def test_the_config_round_trips_and_is_replaced(store: TapeStore) -> None:
    first = ScraperSettings(enabled=True, interval=250, volume_filter=5, buffer_size=2_000)
    store.save_config(first, T0)
    assert store.load_config() == first

    second = ScraperSettings(debug=True, days_to_keep=30, auto_start=True)
    store.save_config(second, T0 + 1)

    assert store.load_config() == second


async def test_concurrent_overlapping_adds_store_each_id_once(store: TapeStore) -> None:
    trades = tape(550)
    batches = [trades[i : i + 100] for i in range(0, 500, 50)]

    await asyncio.gather(*(store.add(batch) for batch in batches))

    assert store.count(TradeQuery()) == 550
    assert by_id(read(store, TradeQuery())) == by_id(rows_of(trades))
