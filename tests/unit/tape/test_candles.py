"""Candles and volume at price from prints."""

from tradewire.tape.candles import CandleBuilder, build_candles

S = 1_000_000_000
T0 = 1_759_931_520 * S  # a minute boundary


def test_ohlcv_and_volume_at_price_of_one_minute():
    prints = [
        ("NQZ5", "a", T0 + 1 * S, 100.0, 2.0),
        ("NQZ5", "b", T0 + 2 * S, 101.0, 1.0),
        ("NQZ5", "c", T0 + 3 * S, 99.5, 3.0),
        ("NQZ5", "d", T0 + 59 * S, 100.0, 4.0),
        ("NQZ5", "e", T0 + 60 * S, 102.0, 1.0),
    ]
    first, second = build_candles(prints, 60, 0)
    assert (first.open, first.high, first.low, first.close) == (100.0, 101.0, 99.5, 100.0)
    assert (first.volume, first.trades, first.ts_event) == (10.0, 4, T0)
    assert first.volume_at_price == ((99.5, 3.0), (100.0, 6.0), (101.0, 1.0))
    assert (second.open, second.volume, second.ts_event) == (102.0, 1.0, T0 + 60 * S)
    assert first.closed and second.closed


def test_a_print_seen_from_two_accounts_counts_once():
    prints = [("NQZ5", "same", T0, 100.0, 5.0), ("NQZ5", "same", T0, 100.0, 5.0)]
    (candle,) = build_candles(prints, 60, 0)
    assert candle.volume == 5.0


def test_incremental_builder_reports_open_then_closed_candles_per_symbol():
    builder = CandleBuilder(60)
    out = builder.add([("NQZ5", "a", T0, 100.0, 1.0), ("ESZ5", "b", T0, 50.0, 1.0)], 0)
    assert {(c.symbol, c.closed) for c in out} == {("NQZ5", False), ("ESZ5", False)}
    out = builder.add([("NQZ5", "c", T0 + 61 * S, 101.0, 1.0)], 0)
    assert [(c.symbol, c.closed, c.ts_event) for c in out] == [
        ("NQZ5", True, T0),
        ("NQZ5", False, T0 + 60 * S),
    ]
    assert builder.add([("NQZ5", "late", T0 + 5 * S, 1.0, 1.0)], 0) == []
    assert {c.symbol for c in builder.flush(0)} == {"NQZ5", "ESZ5"}
