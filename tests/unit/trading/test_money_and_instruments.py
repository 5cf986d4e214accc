"""Decimal at the boundary, rounding to the grid, and the instrument defaults."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest

from tradewire.core.errors import RejectError, ValidationError
from tradewire.core.events import Side
from tradewire.trading.instruments import Instrument, InstrumentBook, InstrumentKind
from tradewire.trading.money import price_or_none, round_to_step, to_decimal

D = Decimal
book = InstrumentBook()


def test_a_float_enters_as_its_shortest_repr_never_its_binary_value():
    assert to_decimal(0.1) == D("0.1")
    assert to_decimal(45000.0) == D("45000")
    assert to_decimal(0.1) + to_decimal(0.2) == D("0.3")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused(bad):
    with pytest.raises(ValidationError):
        to_decimal(bad)


def test_a_zero_price_is_no_price_as_the_seed_wrote_it_and_a_negative_one_is_refused():
    assert price_or_none(0.0) is None
    assert price_or_none(None) is None
    assert price_or_none(44500.5) == D("44500.5")
    with pytest.raises(ValidationError):
        price_or_none(-1.0)


def test_rounding_to_a_step_goes_down_unless_told_and_never_up_by_a_last_digit():
    assert round_to_step(D("0.0229999"), D("0.001")) == D("0.022")
    assert round_to_step(D("0.0220001"), D("0.001"), ROUND_CEILING) == D("0.023")
    assert round_to_step(D("17.37"), D("0.25")) == D("17.25")
    # 28 nines ÷ 0.001 has 31 digits: rounded to the context's 28 half-even it would become
    # a whole 1000 steps; it is 999 and a fraction.
    just_below = D("0." + "9" * 28)
    assert round_to_step(just_below, D("0.001")) == D("0.999")


@pytest.mark.parametrize(
    ("symbol", "tick", "multiplier", "root"),
    [
        ("NQ", "0.25", 20, "NQ"),
        ("NQZ5", "0.25", 20, "NQ"),
        ("NQZ25", "0.25", 20, "NQ"),
        ("NQ1!", "0.25", 20, "NQ"),
        ("MNQH6", "0.25", 2, "MNQ"),
        ("ESZ5", "0.25", 50, "ES"),
        ("MESM6", "0.25", 5, "MES"),
        ("CLF6", "0.01", 1000, "CL"),
        ("GCG6", "0.1", 100, "GC"),
    ],
)
def test_futures_have_their_tick_and_point_value_by_root(symbol, tick, multiplier, root):
    instrument = book.get(symbol)
    assert instrument.kind is InstrumentKind.FUTURE
    assert (instrument.tick_size, instrument.multiplier) == (D(tick), D(multiplier))
    assert (instrument.symbol, instrument.quote_currency, instrument.step_size) == (
        symbol,
        "USD",
        D(1),
    )
    # One tick of NQ is 5 USD, of ES 12.50, of CL 10, of GC 10.
    assert instrument.notional(D(1), D(tick)) == D(tick) * multiplier


def test_crypto_pairs_stocks_and_the_fallback_grid():
    btc = book.get("BTC/USDT")
    assert (btc.tick_size, btc.step_size, btc.min_qty, btc.quote_currency) == (
        D("0.1"),
        D("0.001"),
        D("0.001"),
        "USDT",
    )
    assert book.get("BTC/USDT:USDT").step_size == D("0.001")
    assert book.get("SOL/USDT").step_size == D(1)
    stock = book.get("AAPL")
    assert (stock.kind, stock.tick_size, stock.step_size, stock.unit) == (
        InstrumentKind.STOCK,
        D("0.01"),
        D(1),
        "shares",
    )
    unknown_pair = book.get("PEPE/USDC")
    assert (unknown_pair.quote_currency, unknown_pair.tick_size) == ("USDC", D("1e-8"))
    with pytest.raises(RejectError, match="no instrument settings for ZB1!"):
        book.get("ZB1!")


def test_overrides_replace_the_defaults():
    spot = Instrument(
        symbol="BTC/USDT",
        kind=InstrumentKind.CRYPTO_SPOT,
        quote_currency="USDT",
        tick_size=D("0.01"),
        step_size=D("0.00001"),
        min_qty=D("0.00001"),
    )
    assert InstrumentBook((spot,)).get("BTC/USDT") == spot


def test_prices_round_toward_the_entry_and_limits_never_pay_more():
    nq = book.get("NQZ5")
    # A long's stop below the entry rounds up (a smaller loss), its target down (nearer).
    assert nq.round_level(D("19990.1"), D("20000")) == D("19990.25")
    assert nq.round_level(D("20010.1"), D("20000")) == D("20010")
    assert nq.round_limit(D("20000.1"), Side.LONG) == D("20000")
    assert nq.round_limit(D("20000.1"), Side.SHORT) == D("20000.25")


def test_a_numpy_float_enters_through_its_shortest_repr() -> None:
    import numpy as np

    assert to_decimal(np.float64(0.1)) == Decimal("0.1")
    assert to_decimal(np.float64(1224.709961) * 1) == Decimal("1224.709961")
