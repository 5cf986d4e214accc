"""Support and resistance from swing points clustered into levels."""

from __future__ import annotations

from tradewire.analysis.levels import cluster, find_levels, swing_points
from tradewire.core.events import CandleSeries, DataSource, Level, Timeframe


def bars(highs: list[float], lows: list[float], last_close: float) -> CandleSeries:
    n = len(highs)
    closes = [(h + lo) / 2 for h, lo in zip(highs, lows, strict=True)]
    closes[-1] = last_close
    return CandleSeries(
        ticker="TEST", timeframe=Timeframe.DAY, data_source=DataSource.REPLAY,
        ts=tuple(range(n)), open=tuple(closes), high=tuple(highs), low=tuple(lows),
        close=tuple(closes), volume=(1.0,) * n, ts_event=0, ts_init=0,
    )  # fmt: skip


def test_swing_points_of_a_zigzag() -> None:
    high = [10, 11, 12, 11, 10, 11, 12.05, 11, 10]
    low = [9, 10, 11, 10, 9, 10, 11, 10, 9]
    # window 2: peaks at bars 2 and 6; the trough at bar 4
    assert swing_points(high, low, 2) == [12, 9, 12.05]


def test_flat_top_counts_once() -> None:
    high = [10, 11, 12, 12, 11, 10, 9]
    low = [9, 10, 11, 11, 10, 9, 8]
    assert swing_points(high, low, 2).count(12) == 1


def test_cluster_groups_nearby_prices_and_counts_touches() -> None:
    levels = cluster([100.0, 100.3, 99.8, 105.0, 105.2, 110.0], tolerance_pct=0.5)
    assert levels == [
        Level(price=(100.0 + 100.3 + 99.8) / 3, touches=3),
        Level(price=(105.0 + 105.2) / 2, touches=2),
        Level(price=110.0, touches=1),
    ]


def test_levels_of_a_low_priced_pair_keep_their_digits() -> None:
    # Rounding to six decimals would merge these into one price of 0.000012.
    (low, high) = cluster([0.0000121, 0.00001234], tolerance_pct=0.5)
    assert (low.price, high.price) == (0.0000121, 0.00001234)


def test_constructed_range_yields_support_and_resistance() -> None:
    # A market bouncing between ~100 and ~110 three times, now trading at 104.
    highs, lows = [], []
    for top in (110.0, 110.2, 109.9):
        highs += [104, 106, 108, top, 108, 106, 104, 102, 101]
        lows += [102, 104, 106, 108, 106, 104, 102, 100, 99]
    lows[-1], lows[8], lows[17] = 100.0, 100.1, 99.95
    highs += [103, 104]
    lows += [101, 102]
    support, resistance = find_levels(bars(highs, lows, 104.0), window=2, tolerance_pct=0.5)
    assert [(round(lv.price, 1), lv.touches) for lv in resistance] == [(110.0, 3)]
    assert support[0].touches == 3 and round(support[0].price) == 100


def test_too_short_series_has_no_levels() -> None:
    assert find_levels(bars([1, 2], [0.5, 1], 1.5), window=3, tolerance_pct=0.5) == ((), ())
