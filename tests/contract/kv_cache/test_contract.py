"""KeyValueStore contract: bytes in, the same bytes and store time out; the last put wins; the
store never expires an entry by its age (the cache judges freshness and serves old entries in
an outage); deletes and sizes count exactly."""

from __future__ import annotations

import asyncio

import pytest

from tradewire.marketdata.ports import KeyValueStore

NOW = 1_763_000_000_000_000_000  # 2025-11-13 02:13:20 UTC
DAY = 86_400 * 1_000_000_000
#: Every byte value, and long enough to look like an encoded snapshot.
PAYLOAD = bytes(range(256)) * 400


async def test_a_value_reads_back_with_its_store_time(store: KeyValueStore) -> None:
    await store.put("SPY", PAYLOAD, NOW)

    assert await store.get("SPY") == (PAYLOAD, NOW)


@pytest.mark.parametrize("value", [b"", b"\x00", b"\x00" * 9, "Zürich €".encode()])
async def test_short_and_odd_values_read_back_exactly(store: KeyValueStore, value: bytes) -> None:
    await store.put("AAPL", value, NOW)

    assert await store.get("AAPL") == (value, NOW)


@pytest.mark.parametrize("stored_ns", [0, 2**63 - 1])
async def test_store_times_from_zero_to_the_largest_int64(
    store: KeyValueStore, stored_ns: int
) -> None:
    await store.put("QQQ", b"q", stored_ns)

    assert await store.get("QQQ") == (b"q", stored_ns)


async def test_a_missing_key_is_none(store: KeyValueStore) -> None:
    await store.put("SPY", b"s", NOW)

    assert await store.get("SPY.B") is None
    assert await store.get("spy") is None


async def test_the_last_put_wins_whatever_its_store_time(store: KeyValueStore) -> None:
    await store.put("SPY", b"newer", NOW)
    await store.put("SPY", b"older", NOW - DAY)

    assert await store.get("SPY") == (b"older", NOW - DAY)
    assert await store.items() == [("SPY", b"older", NOW - DAY)]
    assert await store.size() == (1, 5)


async def test_an_old_entry_is_kept_and_served(store: KeyValueStore) -> None:
    # A month old by its store time: stale for the cache, but still there for an outage.
    await store.put("IWM", b"old", NOW - 30 * DAY)

    assert await store.get("IWM") == (b"old", NOW - 30 * DAY)
    assert await store.items() == [("IWM", b"old", NOW - 30 * DAY)]


async def test_items_lists_every_entry_once(store: KeyValueStore) -> None:
    entries = [
        ("BRK.B", b"b", NOW),
        ("^GSPC", b"", NOW + 1),
        ("EURUSD=X", PAYLOAD, NOW + 2),
        ("BTC-USD", b"c", NOW - DAY),
    ]
    for key, value, stored in entries:
        await store.put(key, value, stored)

    assert sorted(await store.items()) == sorted(entries)


async def test_delete_one_key(store: KeyValueStore) -> None:
    await store.put("SPY", b"s", NOW)
    await store.put("QQQ", b"q", NOW)

    assert await store.delete("SPY") == 1
    assert await store.get("SPY") is None
    assert await store.delete("SPY") == 0
    assert await store.delete("DIA") == 0
    assert await store.items() == [("QQQ", b"q", NOW)]


async def test_delete_everything(store: KeyValueStore) -> None:
    for key in ("SPY", "QQQ", "IWM"):
        await store.put(key, b"x", NOW)

    assert await store.delete() == 3
    assert await store.items() == []
    assert await store.size() == (0, 0)
    assert await store.delete() == 0


async def test_size_counts_entries_and_value_bytes(store: KeyValueStore) -> None:
    assert await store.size() == (0, 0)
    await store.put("SPY", PAYLOAD, NOW)
    await store.put("QQQ", b"", NOW)
    await store.put("IWM", b"12345", NOW)

    assert await store.size() == (3, len(PAYLOAD) + 5)


async def test_concurrent_puts_are_all_kept(store: KeyValueStore) -> None:
    keys = [f"T{n:03d}" for n in range(50)]

    await asyncio.gather(*(store.put(k, k.encode(), NOW + n) for n, k in enumerate(keys)))

    assert sorted(await store.items()) == [(k, k.encode(), NOW + n) for n, k in enumerate(keys)]


async def test_close(store: KeyValueStore) -> None:
    await store.put("SPY", b"s", NOW)

    await store.aclose()
