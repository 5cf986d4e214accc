"""Scripted price paths with PnL worked out by hand: partial exits, break-even, gaps, shorts,
trailing stops, fees, slippage and a futures multiplier."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.trading.desk import NO_FEES, Desk
from tradewire.core.events import Direction, Intent, Side
from tradewire.core.prices import PriceTick
from tradewire.trading.account import AccountSettings, TrailingStop, TrailUnit
from tradewire.trading.events import (
    OrderFilled,
    PositionClosed,
    SignalAction,
    StopMoved,
    StopReason,
    TriggerFired,
)
from tradewire.trading.fees import FeeModel, SlippageModel, SlippageUnit

D = Decimal
TAKER_5BPS = FeeModel(maker_bps=D(0), taker_bps=D(5))


async def cash(desk: Desk, account: str = "alice", currency: str = "USDT") -> Decimal:
    return next(b.cash for b in await desk.venue.balances(account) if b.currency == currency)


async def test_long_two_targets_break_even_then_a_gap_through_the_moved_stop():
    desk = Desk(fees=TAKER_5BPS)
    settings = AccountSettings(
        risk_percent=D(1), max_notional_percent=D(100), break_even_after_first_take_profit=True
    )
    await desk.price("ETH/USDT", "3000")
    await desk.signal(
        pair="ETH/USDT", stop_loss=2900.0, take_profit=(3200.0, 3100.0), settings=settings
    )
    # Risk 1% of 10,000 = 100 USDT over 3,000 − 2,900 = 100 → 1 ETH (cap 10,000 ÷ 3,000 =
    # 3.33 ETH does not bind). Entry fee 1 × 3,000 × 5 bps = 1.50.
    await desk.path("ETH/USDT", "3050", "3100")
    # The nearer target, 3,100, closes half: 0.5 × (3,100 − 3,000) = +50; fee 0.5 × 3,100 ×
    # 5 bps = 0.775. The stop moves to break-even, 3,000.
    (moved,) = desk.of(StopMoved)
    assert (moved.stop, moved.reason) == (D(3000), StopReason.BREAK_EVEN)
    await desk.path("ETH/USDT", "3150", "2950")
    # The market gaps from 3,150 to 2,950 through the stop at 3,000: the rest (0.5) is sold
    # at 2,950, the gap price: 0.5 × (2,950 − 3,000) = −25; fee 0.5 × 2,950 × 5 bps = 0.7375.
    first, stop = desk.of(TriggerFired)
    assert (first.target, first.level, first.price) == (0, D(3100), D(3100))
    assert (stop.target, stop.level, stop.price) == (None, D(3000), D(2950))
    (closed,) = desk.of(PositionClosed)
    assert closed.position.realised_pnl == D(25)  # 50 − 25
    assert closed.position.fees == D("3.0125")  # 1.50 + 0.775 + 0.7375
    assert await cash(desk) == D("10021.9875")  # 10,000 + 25 − 3.0125
    assert desk.of(OrderFilled)[-1].order.reason == "break-even stop at 3,000, crossed at 2,950"
    assert len(desk.manager.brackets.index) == 0  # the second target went with the position


async def test_short_gapping_through_its_stop_fills_at_the_gap_with_slippage():
    desk = Desk(slippage=SlippageModel(amount=D(1), unit=SlippageUnit.TICKS))
    await desk.price("BTC/USDT", "45000")
    await desk.signal(direction=Direction.SELL, stop_loss=45500.0, take_profit=(44000.0,))
    # Sized 0.022 BTC (the 10% cap: 1,000 ÷ 45,000); sold at 45,000 − one 0.1 tick = 44,999.9.
    await desk.path("BTC/USDT", "45200", "45800")
    # Gap from 45,200 to 45,800 over the stop at 45,500: bought back at 45,800 + 0.1.
    # 0.022 × (44,999.9 − 45,800.1) = 0.022 × −800.2 = −17.6044.
    (closed,) = desk.of(PositionClosed)
    assert closed.position.realised_pnl == D("-17.6044")
    assert await cash(desk) == D("9982.3956")
    exit_fill = desk.of(OrderFilled)[-1]
    assert exit_fill.fill.price == D("45800.1")
    assert exit_fill.order.reason == "stop loss at 45,500, crossed at 45,800"


async def test_a_trailing_stop_on_nq_with_its_multiplier_and_fees():
    desk = Desk(fees=FeeModel(maker_bps=D(0), taker_bps=D("0.25")), balances={"USD": D(100_000)})
    settings = AccountSettings(
        risk_percent=D(1),
        max_notional_percent=D(1000),
        trailing_stop=TrailingStop(distance=D(80), unit=TrailUnit.TICKS),  # 80 × 0.25 = 20 pts
    )
    await desk.price("NQZ5", "20000")
    await desk.signal(pair="NQZ5", stop_loss=19990.0, settings=settings)
    # Risk 1% of 100,000 = 1,000 USD over 10 points × 20 USD = 200 per contract → 5; the cap,
    # 1,000% of 100,000 = 1,000,000 ÷ (20,000 × 20 = 400,000) = 2.5 → 2 contracts.
    # Entry fee: 2 × 20,000 × 20 = 800,000 × 0.25 bps = 20 USD. The trail from 20,000 is
    # 19,980, looser than the stop at 19,990, which stays.
    await desk.path("NQZ5", "20010", "20030", "20020", "20050", "20035")
    # 20,010 → trail 19,990: not better. 20,030 → 20,010. 20,020: no new high. 20,050 → 20,030.
    assert [(m.stop, m.reason) for m in desk.of(StopMoved)] == [
        (D(20010), StopReason.TRAILING),
        (D(20030), StopReason.TRAILING),
    ]
    await desk.price("NQZ5", "20025")
    # 20,035 → 20,025 crosses the stop at 20,030: sold at 20,025.
    # 2 × (20,025 − 20,000) × 20 = +1,000; exit fee 2 × 20,025 × 20 × 0.25 bps = 20.025.
    (closed,) = desk.of(PositionClosed)
    assert (closed.position.realised_pnl, closed.position.fees) == (D(1000), D("40.025"))
    assert await cash(desk, currency="USD") == D("100959.975")
    assert desk.of(OrderFilled)[-1].order.reason == "trailing stop at 20,030, crossed at 20,025"


async def test_three_targets_with_weights_and_a_gap_through_two_of_them():
    desk = Desk()
    settings = AccountSettings(
        risk_percent=D(1),
        max_notional_percent=D(100),
        take_profit_weights=(D(2), D(1), D(1)),
    )
    await desk.price("SOL/USDT", "100")
    await desk.signal(
        pair="SOL/USDT", stop_loss=95.0, take_profit=(105.0, 110.0, 120.0), settings=settings
    )
    # Risk 100 USDT ÷ 5 = 20 SOL (step 1; cap 10,000 ÷ 100 = 100 does not bind).
    await desk.path("SOL/USDT", "104", "111")
    # One jump over 105 and 110: the first closes 2/4 of 20 = 10 at 111 (+110), the second
    # 1/2 of the remaining 10 = 5 at 111 (+55).
    fills = [e.fill for e in desk.of(OrderFilled)][1:]
    assert [(f.qty, f.price, f.realised_pnl) for f in fills] == [
        (D(10), D(111), D(110)),
        (D(5), D(111), D(55)),
    ]
    await desk.path("SOL/USDT", "119", "121")
    # The last target closes what is left: 5 at 121 = +105. Total 270.
    (closed,) = desk.of(PositionClosed)
    assert closed.position.realised_pnl == D(270)
    assert await cash(desk) == D(10270)


async def test_a_move_crossing_the_stop_and_a_target_takes_the_stop_first_and_says_so():
    desk = Desk(fees=NO_FEES)
    await desk.price("ETH/USDT", "3000")
    await desk.signal(
        pair="ETH/USDT",
        stop_loss=2950.0,
        take_profit=(3050.0,),
        settings=AccountSettings(risk_percent=D(1), max_notional_percent=D(100)),
    )
    # Risk 100 ÷ 50 = 2 ETH. A bar that ranged 2,940–3,060 and closed at 2,990 crossed both:
    # which came first is unknown, so the stop is assumed first and closes everything, at the
    # venue's price for the move (the close): 2 × (2,990 − 3,000) = −20.
    close = PriceTick(ts_event=9, ts_init=9, symbol="ETH/USDT", price=D(2990), source="bar")
    await desk.manager.on_move(close, D(2940), D(3060))
    (fired,) = desk.of(TriggerFired)
    assert fired.target is None
    assert fired.note == "take-profit 3,050 also crossed in this move; the stop is taken first"
    assert desk.of(OrderFilled)[-1].order.reason == (
        "stop loss at 2,950, crossed at 2,990; take-profit 3,050 also crossed in this move; "
        "the stop is taken first"
    )
    (closed,) = desk.of(PositionClosed)
    assert closed.position.realised_pnl == D(-20)
    assert len(desk.manager.brackets.index) == 0


async def test_a_long_and_a_short_on_one_path_each_exit_on_their_own_side():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    await desk.signal("long", stop_loss=44000.0, take_profit=(46000.0,))
    await desk.signal("short", direction=Direction.SELL, stop_loss=46500.0, take_profit=(43000.0,))
    await desk.path("BTC/USDT", "45500", "46000", "46600")
    # Both 0.022 BTC. The long's target 46,000: +0.022 × 1,000 = +22. The short's stop
    # 46,500, crossed at 46,600: 0.022 × (45,000 − 46,600) = −35.2.
    assert await cash(desk, "long") == D("10022")
    assert await cash(desk, "short") == D("9964.8")
    assert {e.account for e in desk.of(PositionClosed)} == {"long", "short"}


async def test_an_exit_signal_ends_the_bracket_and_a_later_target_does_nothing():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    await desk.signal(stop_loss=44000.0, take_profit=(46000.0,))
    handled = await desk.signal(direction=Direction.SELL, intent=Intent.CLOSE, side=Side.LONG)
    assert handled.action is SignalAction.CLOSED
    await desk.path("BTC/USDT", "46500", "43000")
    assert desk.of(TriggerFired) == []
    assert len(desk.of(OrderFilled)) == 2
