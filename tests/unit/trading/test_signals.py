"""Signals into positions: open, close, reduce, reverse, opposite signals, repeats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit.trading.desk import Desk, make_signal
from tradewire.core.events import Direction, Intent, Side, SizeUnit
from tradewire.trading.account import AccountSettings, OppositeSignal
from tradewire.trading.events import (
    BracketArmed,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    SignalAction,
)
from tradewire.trading.model import OrderType

D = Decimal
LONG = {"direction": Direction.BUY, "stop_loss": 44000.0, "take_profit": (46000.0,)}
SHORT = {"direction": Direction.SELL, "stop_loss": 46000.0, "take_profit": (44000.0,)}


async def desk_at(price: str = "45000") -> Desk:
    desk = Desk()
    await desk.price("BTC/USDT", price)
    return desk


async def sides(desk: Desk, account: str = "alice") -> list[tuple[Side, Decimal]]:
    return [(p.side, p.qty) for p in await desk.venue.positions(account)]


async def test_an_open_signal_sizes_places_and_arms_its_bracket():
    desk = await desk_at()
    handled = await desk.signal(**LONG)
    assert handled.action is SignalAction.OPENED
    assert handled.reason == (
        "opening a long in BTC/USDT: 0.022 BTC at market, risking 22 USDT to the stop 44,000 "
        "(notional capped at 10% of equity)"
    )
    assert await sides(desk) == [(Side.LONG, D("0.022"))]
    (armed,) = desk.of(BracketArmed)
    assert (armed.entry_price, armed.stop) == (D(45000), D(44000))
    assert len(desk.manager.brackets.index) == 2  # the stop and the take-profit


async def test_a_repeated_signal_never_opens_a_second_position():
    desk = await desk_at()
    signal = make_signal(**LONG)
    first = await desk.manager.on_signal("alice", AccountSettings(), signal)
    again = await desk.manager.on_signal("alice", AccountSettings(), signal)
    assert again is first
    assert len(desk.of(OrderAccepted)) == 1
    # A different signal on the same side is not a second position either.
    other = await desk.signal(**LONG)
    assert other.action is SignalAction.IGNORED
    assert other.reason == "a long position in BTC/USDT is open already"
    assert await sides(desk) == [(Side.LONG, D("0.022"))]


@pytest.mark.parametrize(
    ("policy", "action", "after"),
    [
        (OppositeSignal.CLOSE, SignalAction.CLOSED, []),
        (OppositeSignal.REVERSE, SignalAction.REVERSED, [(Side.SHORT, D("0.022"))]),
        (OppositeSignal.IGNORE, SignalAction.IGNORED, [(Side.LONG, D("0.022"))]),
    ],
)
async def test_an_opposite_open_follows_the_setting(policy, action, after):
    desk = await desk_at()
    settings = AccountSettings(opposite_signal=policy)
    await desk.signal(settings=settings, **LONG)
    handled = await desk.signal(settings=settings, **SHORT)
    assert handled.action is action
    assert await sides(desk) == after
    if policy is OppositeSignal.REVERSE:
        # The new short is guarded by its own bracket, the long's is gone.
        assert len(desk.of(BracketArmed)) == 2
        assert len(desk.manager.brackets.brackets) == 1


async def test_close_and_reduce_never_open_and_say_when_there_is_nothing_to_close():
    desk = await desk_at()
    for intent in (Intent.CLOSE, Intent.REDUCE):
        handled = await desk.signal(direction=Direction.SELL, intent=intent, side=Side.LONG)
        assert handled.action is SignalAction.NOTHING_TO_CLOSE
        assert handled.reason == f"no long position in BTC/USDT to {intent}: nothing done"
        assert handled.client_order_ids == ()
    assert desk.of(OrderAccepted) == []
    assert await sides(desk) == []


async def test_a_close_of_the_other_side_leaves_the_position_alone():
    desk = await desk_at()
    await desk.signal(**LONG)
    handled = await desk.signal(direction=Direction.BUY, intent=Intent.CLOSE, side=Side.SHORT)
    assert handled.action is SignalAction.NOTHING_TO_CLOSE
    assert await sides(desk) == [(Side.LONG, D("0.022"))]


async def test_a_close_that_names_no_side_closes_the_position():
    desk = await desk_at()
    await desk.signal(**SHORT)
    handled = await desk.signal(direction=Direction.CLOSE, intent=Intent.CLOSE)
    assert handled.action is SignalAction.CLOSED
    assert await sides(desk) == []
    assert desk.manager.brackets.brackets == {}
    assert len(desk.manager.brackets.index) == 0


@pytest.mark.parametrize(
    ("qty", "unit", "left"),
    [
        (None, None, D("0.011")),  # the default: half
        (25.0, SizeUnit.POSITION_PERCENT, D("0.017")),  # 0.0055 → 0.005 off (step 0.001)
        (0.02, SizeUnit.UNITS, D("0.002")),
        (1.0, SizeUnit.UNITS, D(0)),  # more than the position: closes it, never flips
    ],
)
async def test_reduce_takes_off_what_it_says_and_never_flips(qty, unit, left):
    desk = await desk_at()
    await desk.signal(**LONG)
    handled = await desk.signal(
        direction=Direction.SELL, intent=Intent.REDUCE, side=Side.LONG, qty=qty, qty_unit=unit
    )
    assert handled.action is (SignalAction.REDUCED if left else SignalAction.CLOSED)
    assert await sides(desk) == ([(Side.LONG, left)] if left else [])


async def test_reverse_closes_then_opens_and_opens_when_flat():
    desk = await desk_at()
    handled = await desk.signal(intent=Intent.REVERSE, side=Side.SHORT, **SHORT)
    assert handled.action is SignalAction.OPENED
    handled = await desk.signal(intent=Intent.REVERSE, side=Side.LONG, **LONG)
    assert handled.action is SignalAction.REVERSED
    assert len(handled.client_order_ids) == 2
    assert await sides(desk) == [(Side.LONG, D("0.022"))]


async def test_a_reverse_whose_open_is_refused_still_reports_the_close():
    desk = await desk_at()
    await desk.signal(**SHORT)
    # A long entering at 46,000 with its stop at 45,100, when the price is 45,000 already
    # through that stop: the close happens, the open is refused.
    handled = await desk.signal(
        intent=Intent.REVERSE,
        side=Side.LONG,
        direction=Direction.BUY,
        entry=46000.0,
        stop_loss=45100.0,
    )
    assert handled.action is SignalAction.CLOSED
    assert handled.reason.endswith(
        "the long was refused: the price 45,000 is already through the stop 45,100"
    )
    assert await sides(desk) == []


async def test_an_entry_price_places_a_limit_and_the_bracket_arms_when_it_fills():
    desk = await desk_at()
    handled = await desk.signal(entry=44800.0, **LONG)
    assert "limit 44,800" in handled.reason
    (accepted,) = desk.of(OrderAccepted)
    assert (accepted.order.type, accepted.order.price) == (OrderType.LIMIT, D(44800))
    assert desk.of(BracketArmed) == []
    await desk.price("BTC/USDT", "44790")
    (armed,) = desk.of(BracketArmed)
    assert armed.entry_price == D(44800)
    # A close before the fill cancels the pending entry (its plan with it).
    other = await desk_at()
    await other.signal(entry=44800.0, **LONG)
    handled = await other.signal(direction=Direction.SELL, intent=Intent.CLOSE, side=Side.LONG)
    assert handled.action is SignalAction.CANCELED_ENTRY
    assert other.of(OrderCanceled) and other.manager.brackets.plans == {}
    await other.price("BTC/USDT", "44000")
    assert other.of(OrderFilled) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"direction": Direction.CLOSE}, "the signal does not say whether to go long or short"),
        ({"stop_loss": 45100.0}, "a long's stop must be below its entry"),
        (
            {"stop_loss": 44000.0, "take_profit": (44500.0,)},
            "the take-profit 44,500 is not above the entry 45,000",
        ),
        ({"pair": "ETH/USDT", "stop_loss": 1.0}, "no price for ETH/USDT yet"),
        ({"pair": "ZB1!", "stop_loss": 1.0}, "no instrument settings for ZB1!"),
    ],
)
async def test_a_signal_that_cannot_be_traded_is_rejected_with_its_reason(fields, reason):
    desk = await desk_at()
    handled = await desk.signal(**fields)
    assert handled.action is SignalAction.REJECTED
    assert reason in handled.reason
    assert desk.of(OrderAccepted) == []


async def test_the_default_stop_distance_protects_a_signal_without_a_stop():
    desk = await desk_at()
    handled = await desk.signal(settings=AccountSettings(default_stop_percent=D(2)))
    # 2% under 45,000 = 44,100; risk 200 ÷ 900 = 0.222 by risk, capped at 0.022 by value.
    assert handled.reason.endswith("to the stop 44,100 (notional capped at 10% of equity)")
