"""Sizing: risk over the stop distance, notional capped as a value; the seed's bugs as cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.trading.desk import Desk
from tradewire.core.errors import RejectError
from tradewire.core.events import Direction, Side
from tradewire.trading.account import AccountSettings
from tradewire.trading.events import OrderFilled, SignalAction
from tradewire.trading.instruments import InstrumentBook
from tradewire.trading.sizing import entry_and_stop, size_position

D = Decimal
book = InstrumentBook()
BTC = book.get("BTC/USDT")


def size(entry, stop, *, equity="10000", risk="2", cap="10", symbol="BTC/USDT", side=Side.LONG):
    return size_position(
        side=side,
        entry=D(entry),
        stop=D(stop),
        equity=D(equity),
        instrument=book.get(symbol),
        risk_percent=D(risk),
        max_notional_percent=D(cap),
    )


def test_seed_bug_the_cap_is_a_value_not_a_quantity():
    # Seed: 10,000 × 2% = 200 USDT risk ÷ 500 distance = 0.4 BTC = 18,000 USDT notional, and
    # the "10% cap" compared 0.4 (BTC) with 1,000 (USDT), so 0.4 BTC was bought and the balance
    # went to 10,000 − 18,000 = −8,000.
    # Here: cap = 10% of 10,000 = 1,000 USDT of notional ÷ 45,000 = 0.0222… → 0.022 BTC
    # (step 0.001), 0.022 × 45,000 = 990 USDT; it risks 0.022 × 500 = 11 USDT.
    sized = size("45000", "44500")
    assert sized.qty == D("0.022")
    assert sized.notional == D("990")
    assert sized.risk == D("11")
    assert sized.capped


def test_the_risk_budget_sizes_when_the_cap_is_not_binding():
    # Risk 1% of 10,000 = 100 USDT over a 2,000 distance = 0.05 BTC (2,250 USDT notional, under
    # a 50% cap of 5,000).
    sized = size("45000", "43000", risk="1", cap="50")
    assert (sized.qty, sized.risk, sized.capped) == (D("0.05"), D("100"), False)


async def test_seed_bug_the_balance_never_goes_negative_on_the_seed_example():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    handled = await desk.signal(entry=45000.0, stop_loss=44500.0)
    assert handled.action is SignalAction.OPENED
    (fill,) = [e.fill for e in desk.of(OrderFilled)]
    assert fill.qty == D("0.022")
    (usdt, _) = await desk.venue.balances("alice")
    assert usdt.cash == D("10000") and usdt.equity == D("10000")
    assert usdt.margin_used <= usdt.equity


@pytest.mark.parametrize(
    ("entry", "stop"),
    [(0.0, 0.0), (None, 0.0), (0.0, None)],
)
async def test_seed_bug_zero_levels_are_missing_not_infinite_size(entry, stop):
    # The seed's simple signals carried entry, TP and SL of 0 and sized 200 ÷ 0 = infinity.
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    handled = await desk.signal(entry=entry, stop_loss=stop, take_profit=(0.0,))
    assert handled.action is SignalAction.REJECTED
    assert handled.reason == "the signal has no stop loss and no default stop distance is set"
    assert not desk.of(OrderFilled)


async def test_seed_bug_buy_is_long_and_sell_is_short():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    await desk.signal(direction=Direction.BUY, stop_loss=44000.0, take_profit=(46000.0,))
    await desk.signal("bob", direction=Direction.SELL, stop_loss=47000.0, take_profit=(44000.0,))
    (alice,) = await desk.venue.positions("alice")
    (bob,) = await desk.venue.positions("bob")
    assert (alice.side, bob.side) == (Side.LONG, Side.SHORT)
    # The BUY is monitored as a long: its take-profit fires above, not below.
    await desk.price("BTC/USDT", "46000")
    assert await desk.venue.positions("alice") == []
    assert [p.side for p in await desk.venue.positions("bob")] == [Side.SHORT]


def test_no_entry_uses_the_current_price_and_no_stop_the_default_distance():
    entry, stop = entry_and_stop(
        symbol="BTC/USDT",
        side=Side.SHORT,
        entry=None,
        price=D("45000"),
        stop=None,
        default_stop_percent=D("1.5"),
        instrument=BTC,
    )
    # 45,000 + 1.5% = 45,675 (on the 0.1 tick already).
    assert (entry, stop) == (D("45000"), D("45675"))
    with pytest.raises(RejectError, match="no price for BTC/USDT yet"):
        entry_and_stop(
            symbol="BTC/USDT",
            side=Side.LONG,
            entry=None,
            price=None,
            stop=D(1),
            default_stop_percent=None,
            instrument=BTC,
        )


@pytest.mark.parametrize(
    ("entry", "stop", "side", "reason"),
    [
        ("45000", "45000", Side.LONG, "equals the entry"),
        ("45000", "45500", Side.LONG, "a long's stop must be below its entry"),
        ("45000", "44500", Side.SHORT, "a short's stop must be above its entry"),
    ],
)
def test_a_stop_at_or_on_the_wrong_side_of_the_entry_is_refused(entry, stop, side, reason):
    with pytest.raises(RejectError, match=reason):
        size(entry, stop, side=side)


def test_a_size_below_the_minimum_is_refused_with_the_numbers():
    # 100 USDT × 2% = 2 USDT of risk over a 500 distance = 0.004 BTC by risk, but the 10% cap
    # gives 10 ÷ 45,000 = 0.00022 → 0 at the 0.001 step.
    with pytest.raises(RejectError) as caught:
        size("45000", "44500", equity="100")
    assert caught.value.message == (
        "the size 0 BTC is below the minimum 0.001 BTC (risk 2 USDT over a stop distance of "
        "500, notional capped at 10 USDT)"
    )


def test_no_equity_is_refused():
    with pytest.raises(RejectError, match="no USDT equity"):
        size("45000", "44500", equity="0")


def test_futures_size_in_contracts_through_the_multiplier():
    # 50,000 USD × 1% = 500 USD of risk; NQ stop 20 points away × 20 USD/point = 400 USD per
    # contract → 1.25 → 1 contract. Cap 1,000% of equity = 500,000 USD ÷ (20,000 × 20) = 1.25.
    sized = size("20000", "19980", equity="50000", risk="1", cap="1000", symbol="NQZ5")
    assert (sized.qty, sized.risk, sized.notional) == (D(1), D(400), D(400_000))


@given(
    equity=st.decimals("100", "1000000", places=2),
    entry=st.decimals("1", "100000", places=1),
    distance_percent=st.decimals("0.1", "50", places=1),
    risk=st.decimals("0.1", "10", places=1),
    cap=st.decimals("1", "500", places=0),
)
def test_the_size_never_exceeds_either_budget(equity, entry, distance_percent, risk, cap):
    stop = BTC.round_level(entry * (1 - distance_percent / 100), entry)
    try:
        sized = size_position(
            side=Side.LONG,
            entry=entry,
            stop=stop,
            equity=equity,
            instrument=BTC,
            risk_percent=risk,
            max_notional_percent=cap,
        )
    except RejectError:
        return
    assert sized.qty % BTC.step_size == 0 and sized.qty >= BTC.min_qty
    assert sized.notional <= equity * cap / 100
    assert sized.risk <= equity * risk / 100


def test_account_settings_check_their_values():
    with pytest.raises(RejectError):
        AccountSettings(risk_percent=D(0))
    with pytest.raises(RejectError):
        AccountSettings(take_profit_weights=(D(1), D(-1)))
