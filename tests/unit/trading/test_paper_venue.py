"""The paper venue: fills, fees and slippage, refusals, idempotency, and its journal replayed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit.trading.desk import Desk
from tradewire.core.errors import RejectError
from tradewire.core.events import Side
from tradewire.trading.events import (
    AccountUpdated,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
    PositionClosed,
    PositionOpened,
)
from tradewire.trading.fees import FeeModel, Liquidity, SlippageModel, SlippageUnit
from tradewire.trading.model import OrderRequest, OrderStatus, OrderType
from tradewire.trading.ports import OrderRefused

D = Decimal
FEES = FeeModel(maker_bps=D(2), taker_bps=D(5))
ONE_TICK = SlippageModel(amount=D(1), unit=SlippageUnit.TICKS)


def order(cid: str, side: Side, qty: str, symbol: str = "BTC/USDT", **fields) -> OrderRequest:
    return OrderRequest(client_order_id=cid, symbol=symbol, side=side, qty=D(qty), **fields)


async def test_a_market_order_fills_at_the_last_price_with_slippage_and_a_taker_fee():
    desk = Desk(fees=FEES, slippage=ONE_TICK)
    await desk.price("BTC/USDT", "45000")
    placed = await desk.venue.place("a", order("o1", Side.LONG, "0.1"))
    # Bought at 45,000 + one 0.1 tick = 45,000.1; fee 5 bps of 0.1 × 45,000.1 = 4,500.01 →
    # 2.250005 USDT. Marked at 45,000 the position is down 0.1 × 0.1 = 0.01.
    assert (placed.status, placed.avg_fill_price) == (OrderStatus.FILLED, D("45000.1"))
    (filled,) = desk.of(OrderFilled)
    assert (filled.fill.fee, filled.fill.liquidity) == (D("2.250005"), Liquidity.TAKER)
    (usdt, _) = await desk.venue.balances("a")
    assert usdt.cash == D("9997.749995")
    assert usdt.unrealised_pnl == D("-0.01")
    assert usdt.equity == D("9997.739995")


async def test_a_resting_limit_fills_at_its_limit_as_maker_even_when_the_price_gaps_past():
    desk = Desk(fees=FEES, slippage=ONE_TICK)
    await desk.price("BTC/USDT", "45000")
    resting = await desk.venue.place(
        "a", order("o1", Side.LONG, "0.1", type=OrderType.LIMIT, price=D("44000"))
    )
    assert resting.status is OrderStatus.OPEN
    await desk.price("BTC/USDT", "44100")
    assert not desk.of(OrderFilled)
    await desk.price("BTC/USDT", "43800")  # traded through the limit
    (filled,) = desk.of(OrderFilled)
    # 0.1 × 44,000 = 4,400 notional; maker 2 bps = 0.88.
    assert (filled.fill.price, filled.fill.fee) == (D("44000"), D("0.88"))
    assert filled.fill.liquidity is Liquidity.MAKER


async def test_a_marketable_limit_fills_at_once_never_worse_than_its_limit():
    desk = Desk(slippage=SlippageModel(amount=D(10), unit=SlippageUnit.TICKS))
    await desk.price("BTC/USDT", "45000")
    # 45,000 + 10 ticks = 45,001, capped at the limit 45,000.5.
    placed = await desk.venue.place(
        "a", order("o1", Side.LONG, "0.1", type=OrderType.LIMIT, price=D("45000.5"))
    )
    assert placed.avg_fill_price == D("45000.5")


async def test_a_stop_fills_at_the_gap_price_not_its_trigger():
    desk = Desk(slippage=ONE_TICK)
    await desk.price("BTC/USDT", "45000")
    await desk.venue.place("a", order("in", Side.LONG, "0.1"))
    await desk.venue.place(
        "a",
        order(
            "stop",
            Side.SHORT,
            "0.1",
            type=OrderType.STOP,
            trigger_price=D("44500"),
            reduce_only=True,
        ),
    )
    await desk.price("BTC/USDT", "44600")
    await desk.price("BTC/USDT", "44000")  # gapped through 44,500
    stop_fill = desk.of(OrderFilled)[-1].fill
    # Sold at 44,000 − one tick = 43,999.9; bought at 45,000.1: 0.1 × −1,000.2 = −100.02.
    assert stop_fill.price == D("43999.9")
    assert stop_fill.realised_pnl == D("-100.02")
    (closed,) = desk.of(PositionClosed)
    assert closed.position.realised_pnl == D("-100.02")


async def test_reduce_only_is_clamped_to_the_position_and_refused_without_one():
    desk = Desk()
    await desk.price("ETH/USDT", "3000")
    with pytest.raises(OrderRefused, match="reduce-only: there is no long position in ETH/USDT"):
        await desk.venue.place("a", order("r0", Side.SHORT, "1", "ETH/USDT", reduce_only=True))
    await desk.venue.place("a", order("in", Side.LONG, "0.5", "ETH/USDT"))
    out = await desk.venue.place("a", order("r1", Side.SHORT, "2", "ETH/USDT", reduce_only=True))
    assert (out.filled_qty, out.status_reason) == (D("0.5"), "clamped to the position's size")
    assert await desk.venue.positions("a") == []
    assert len(desk.of(OrderRejected)) == 1


async def test_a_resting_reduce_only_order_is_canceled_when_there_is_nothing_left_to_reduce():
    desk = Desk()
    await desk.price("ETH/USDT", "3000")
    await desk.venue.place("a", order("in", Side.LONG, "1", "ETH/USDT"))
    await desk.venue.place(
        "a",
        order(
            "tp",
            Side.SHORT,
            "1",
            "ETH/USDT",
            type=OrderType.LIMIT,
            price=D("3100"),
            reduce_only=True,
        ),
    )
    await desk.venue.place("a", order("out", Side.SHORT, "1", "ETH/USDT", reduce_only=True))
    await desk.price("ETH/USDT", "3100")
    (canceled,) = desk.of(OrderCanceled)
    assert canceled.order.status_reason == "reduce-only: no long position to reduce"


async def test_the_same_client_order_id_never_places_twice():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    first = await desk.venue.place("a", order("same", Side.LONG, "0.1"))
    again = await desk.venue.place("a", order("same", Side.LONG, "0.5"))
    assert again == first
    assert len(desk.of(OrderFilled)) == 1
    with pytest.raises(OrderRefused):
        await desk.venue.place("a", order("bad", Side.LONG, "0.1234"))
    with pytest.raises(OrderRefused):  # the retry gets the same answer, and no second event
        await desk.venue.place("a", order("bad", Side.LONG, "0.1"))
    assert len(desk.of(OrderRejected)) == 1


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (order("x", Side.LONG, "0.0005"), "is not a multiple of the step 0.001 BTC"),
        (order("x", Side.LONG, "0"), "the quantity must be positive"),
        (order("x", Side.LONG, "1", "SOL/USDT"), "no price for SOL/USDT yet"),
        (order("x", Side.LONG, "0.1", type=OrderType.LIMIT), "needs a positive limit price"),
        (
            order("x", Side.LONG, "0.1", type=OrderType.LIMIT, price=D("45000.05")),
            "the price 45,000.05 is not on the tick 0.1",
        ),
        (order("x", Side.LONG, "0.1", type=OrderType.STOP), "needs a positive trigger price"),
        (order("x", Side.LONG, "0.0001"), "not a multiple of the step"),
        # 5 BTC = 225,000 USDT of notional needs 225,000 ÷ 20 = 11,250 USDT of margin.
        (
            order("x", Side.LONG, "5"),
            "insufficient margin: the position needs 11,250 USDT, the "
            "account's equity is 10,000 USDT",
        ),
        (
            order("x", Side.LONG, "1", "ZZ/EUR", type=OrderType.LIMIT, price=D(1)),
            "the account holds no EUR",
        ),
        (order("x", Side.LONG, "1", "ZB1!"), "no instrument settings for ZB1!"),
    ],
)
async def test_refusals_say_why(request_, reason):
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    with pytest.raises(OrderRefused, match=reason.replace("(", r"\(")) as caught:
        await desk.venue.place("a", request_)
    (rejected,) = desk.of(OrderRejected)
    assert rejected.order.status_reason == caught.value.message


async def test_amend_moves_a_resting_order_and_cancel_ends_it():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    resting = await desk.venue.place(
        "a", order("o", Side.LONG, "0.1", type=OrderType.LIMIT, price=D("44000"))
    )
    moved = await desk.venue.amend("a", resting.id, price=D("44500"))
    assert moved.price == D("44500") and moved.status is OrderStatus.OPEN
    await desk.price("BTC/USDT", "44400")
    assert desk.of(OrderFilled)[-1].fill.price == D("44500")
    with pytest.raises(RejectError, match="is filled: it cannot be amended"):
        await desk.venue.amend("a", resting.id, price=D("44000"))
    other = await desk.venue.place(
        "a", order("p", Side.SHORT, "0.1", type=OrderType.LIMIT, price=D("46000"))
    )
    marketable = await desk.venue.amend("a", other.id, price=D("44000"))  # now crosses
    assert marketable.status is OrderStatus.FILLED
    third = await desk.venue.place(
        "a", order("q", Side.LONG, "0.1", type=OrderType.LIMIT, price=D("40000"))
    )
    # Only the working order is open; the filled ones are not, oldest first.
    assert await desk.venue.orders("a", open_only=True) == [third]
    assert [o.id for o in await desk.venue.orders("a")] == [resting.id, other.id, third.id]
    canceled = await desk.venue.cancel("a", third.id)
    assert canceled.status is OrderStatus.CANCELED
    assert await desk.venue.cancel("a", third.id) == canceled
    await desk.price("BTC/USDT", "39000")
    assert await desk.venue.orders("a", open_only=True) == []


async def test_a_sell_larger_than_the_long_closes_it_and_opens_a_short_splitting_the_fee():
    desk = Desk(fees=FeeModel(maker_bps=D(0), taker_bps=D(10)))
    await desk.price("ETH/USDT", "3000")
    await desk.venue.place("a", order("in", Side.LONG, "1", "ETH/USDT"))
    await desk.price("ETH/USDT", "3100")
    await desk.venue.place("a", order("flip", Side.SHORT, "3", "ETH/USDT"))
    # Fee on 3 × 3,100 = 9,300 at 10 bps = 9.30: 3.10 for the closed 1, 6.20 for the new 2.
    (closed,) = desk.of(PositionClosed)
    assert (closed.position.realised_pnl, closed.position.fees) == (D("100"), D("3") + D("3.10"))
    opened = desk.of(PositionOpened)[-1].position
    assert (opened.side, opened.qty, opened.fees) == (Side.SHORT, D(2), D("6.20"))
    (usdt, _) = await desk.venue.balances("a")
    # 10,000 − 3 (first fee) + 100 − 9.30 = 10,087.70.
    assert usdt.cash == D("10087.70")


async def test_replaying_the_journal_rebuilds_the_venue_exactly():
    desk = Desk(fees=FEES, slippage=ONE_TICK)
    await desk.price("BTC/USDT", "45000")
    await desk.venue.place("a", order("1", Side.LONG, "0.2"))
    await desk.venue.place("a", order("2", Side.SHORT, "0.05", reduce_only=True))
    await desk.venue.place(
        "a",
        order("3", Side.SHORT, "0.15", type=OrderType.LIMIT, price=D("46000"), reduce_only=True),
    )
    await desk.venue.place("b", order("4", Side.SHORT, "0.1"))
    restarted = await desk.restart()
    # Prices are not state: the feeds bring them again after a restart.
    await restarted.price("BTC/USDT", "45000")
    for account in ("a", "b"):
        assert await restarted.venue.orders(account) == await desk.venue.orders(account)
        open_orders = await desk.venue.orders(account, open_only=True)
        assert await restarted.venue.orders(account, open_only=True) == open_orders
        assert await restarted.venue.fills(account) == await desk.venue.fills(account)
        assert await restarted.venue.positions(account) == await desk.venue.positions(account)
        assert await restarted.venue.balances(account) == await desk.venue.balances(account)
    # The resting take-profit survived the restart and still fills.
    await restarted.price("BTC/USDT", "46000")
    assert await restarted.venue.positions("a") == []


async def test_reset_starts_an_account_again():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    await desk.venue.place("a", order("1", Side.LONG, "0.1"))
    await desk.venue.reset("a", {"USDT": D(500)})
    assert await desk.venue.positions("a") == []
    assert [(b.currency, b.cash) for b in await desk.venue.balances("a")] == [("USDT", D(500))]
    assert desk.of(AccountUpdated)  # the history stays in the journal
