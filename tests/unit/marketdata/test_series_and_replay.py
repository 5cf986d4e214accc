"""Candle series building, 4-hour resampling and the replay source's generated data."""

from __future__ import annotations

import pytest

from tradewire.core.clock import TestClock
from tradewire.core.events import DataSource, Timeframe
from tradewire.marketdata.adapters.replay import ReplayProvider
from tradewire.marketdata.series import resample, series_from_columns


def build(ts, o, h, lo, c, v):
    return series_from_columns(
        ticker="T", timeframe=Timeframe.H1, source=DataSource.YAHOO,
        ts=ts, open=o, high=h, low=lo, close=c, volume=v, ts_init=0,
    )  # fmt: skip


def test_incomplete_and_insane_bars_are_dropped_and_order_restored() -> None:
    s = build(
        [7200, 0, 3600, 10800, 14400],
        [2.0, 1.0, None, 4.0, 5.0],
        [2.5, 1.5, 2.0, 3.0, 5.5],  # bar 10800 has high < low
        [1.5, 0.5, 1.0, 3.5, 4.5],
        [2.2, 1.2, 1.8, 3.2, float("nan")],
        [10, 20, 30, None, 50],
    )
    assert s.ts == (0, 7200)
    assert s.close == (1.2, 2.2) and s.volume == (20.0, 10.0)
    assert s.ts_event == 7200 * 10**9


def test_columns_of_different_length_are_malformed() -> None:
    with pytest.raises(ValueError):
        build([0, 1], [1.0], [1.0], [1.0], [1.0], [1.0])


def test_resample_hourly_to_four_hours() -> None:
    hours = list(range(0, 8 * 3600, 3600))
    opens = [float(i + 1) for i in range(8)]
    s = build(
        hours, opens, [o + 1 for o in opens], [o - 0.5 for o in opens], [o + 0.5 for o in opens],
        [1.0] * 8,
    )  # fmt: skip
    four = resample(s, Timeframe.H4)
    assert four.timeframe is Timeframe.H4 and four.ts == (0, 14400)
    assert four.open == (1.0, 5.0) and four.close == (4.5, 8.5)
    assert four.high == (5.0, 9.0) and four.low == (0.5, 4.5) and four.volume == (4.0, 4.0)
    with pytest.raises(ValueError):
        resample(four, Timeframe.H1)


async def test_replay_is_deterministic_and_realistic() -> None:
    clock = TestClock(start_ns=1_763_650_000 * 10**9)
    a, b = ReplayProvider(clock), ReplayProvider(clock)
    daily = await a.candles("NVDA", Timeframe.DAY)
    assert daily == await b.candles("NVDA", Timeframe.DAY)
    assert await a.quote("NVDA") == await b.quote("NVDA")
    assert daily != await a.candles("AAPL", Timeframe.DAY)
    hourly = await a.candles("NVDA", Timeframe.H1)
    assert len(daily) >= 300 and len(hourly) == 7 * len(daily)
    assert daily.data_source is DataSource.REPLAY
    for o, h, lo, c in zip(hourly.open, hourly.high, hourly.low, hourly.close, strict=True):
        assert 0 < lo <= min(o, c) <= max(o, c) <= h
    assert hourly.ts[-1] + 3600 <= clock.now_ns() // 10**9  # only completed bars
    # Weekdays only, within the US session.
    assert all(
        (t // 86_400 + 3) % 7 < 5 and 13.5 * 3600 <= t % 86_400 < 20 * 3600 for t in hourly.ts
    )
    # The opening hour trades more than lunch on average (the intraday volume shape).
    opening = sum(hourly.volume[0::7]) / len(daily)
    lunch = sum(hourly.volume[3::7]) / len(daily)
    assert opening > 1.5 * lunch
    # Time moves the quote.
    before = (await a.quote("NVDA")).price
    clock.advance(3600 * 24)
    assert (await a.quote("NVDA")).price != before
