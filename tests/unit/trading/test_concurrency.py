"""Signals and prices arriving concurrently: no interleaving double-fills, loses a fill, or
exits more than a position holds; a failed exit is retried without placing twice."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from decimal import Decimal

import pytest

from tests.fakes.flaky_venue import FlakyVenue
from tests.fakes.yielding_journal import YieldingJournal
from tests.unit.trading.desk import Desk, make_signal
from tradewire.core.errors import RetryableError
from tradewire.core.events import Direction, Intent, Side
from tradewire.trading.account import AccountSettings
from tradewire.trading.events import OrderFilled, PositionClosed, TriggerFired
from tradewire.trading.fees import FeeModel

D = Decimal
SETTINGS = AccountSettings(break_even_after_first_take_profit=True)


def signals_for(account: int, rng: random.Random):
    """An open (sent twice), and for some accounts a close racing the prices."""
    long = rng.random() < 0.5
    opened = make_signal(
        id=f"open-{account}",
        direction=Direction.BUY if long else Direction.SELL,
        stop_loss=43500.0 if long else 46500.0,
        take_profit=(46200.0, 46800.0) if long else (43800.0, 43200.0),
    )
    out = [opened, opened]
    if rng.random() < 0.4:
        side = Side.LONG if long else Side.SHORT
        out.append(
            make_signal(
                id=f"close-{account}",
                direction=Direction.SELL if long else Direction.BUY,
                intent=Intent.CLOSE,
                side=side,
            )
        )
    return out


@pytest.mark.parametrize("seed", range(12))
async def test_interleaved_signals_and_prices_never_double_fill_or_lose_a_fill(seed):
    rng = random.Random(seed)
    desk = Desk(fees=FeeModel(maker_bps=D(2), taker_bps=D(5)), journal=YieldingJournal(seed))
    await desk.price("BTC/USDT", "45000")
    accounts = [f"u{n}" for n in range(16)]
    work = [
        desk.manager.on_signal(account, SETTINGS, signal)
        for n, account in enumerate(accounts)
        for signal in signals_for(n, rng)
    ]
    path = ["45100", "45600", "44900", "46300", "44400", "45300", "43700", "46600", "45000"]
    work += [desk.price("BTC/USDT", price) for price in path]
    rng.shuffle(work)
    await asyncio.gather(*work)
    # Sweep far below and far above every level: whatever is still open must exit now.
    await desk.path("BTC/USDT", "43000", "47000")

    fills = desk.of(OrderFilled)
    per_order = Counter((e.account, e.fill.client_order_id) for e in fills)
    assert max(per_order.values()) == 1, "an order filled twice"
    traded = 0
    for account in accounts:
        assert await desk.venue.positions(account) == [], f"{account} kept a position"
        entries = [e.fill for e in fills if e.account == account and not e.order.reduce_only]
        exits = [e.fill for e in fills if e.account == account and e.order.reduce_only]
        # None when the signal came after the price had passed its target (it is refused).
        assert len(entries) <= 1, "a repeated signal opened twice"
        assert sum(f.qty for f in exits) == sum(f.qty for f in entries), "exited more or less"
        traded += len(entries)
        (usdt, _) = await desk.venue.balances(account)
        realised = sum(f.realised_pnl for f in exits)
        assert usdt.cash == D(10000) + realised - sum(f.fee for f in entries + exits)
    assert traded >= len(accounts) // 2
    assert desk.manager.brackets.brackets == {}
    assert len(desk.manager.brackets.index) == 0


async def test_the_same_signal_delivered_at_once_opens_once():
    desk = Desk(journal=YieldingJournal(7))
    await desk.price("BTC/USDT", "45000")
    signal = make_signal(stop_loss=44000.0, take_profit=(46000.0,))
    results = await asyncio.gather(
        *(desk.manager.on_signal("alice", SETTINGS, signal) for _ in range(5))
    )
    assert len({id(r) for r in results}) == 1
    assert len(desk.of(OrderFilled)) == 1


@pytest.mark.parametrize("failure", ["refuse", "lose"])
async def test_an_exit_that_fails_is_retried_at_the_next_price_and_placed_once(failure):
    desk = Desk(wrap=FlakyVenue)
    flaky = desk.execution
    await desk.price("BTC/USDT", "45000")
    await desk.signal(stop_loss=44000.0, take_profit=(46000.0,))
    setattr(flaky, failure, 1)
    with pytest.raises(RetryableError):
        await desk.price("BTC/USDT", "43900")
    # "refuse": nothing reached the venue and the position is open; "lose": the venue sold,
    # only the answer was lost. Either way the stop is armed again, and the next price
    # places the exit under the same client order id: once at the venue, never twice.
    await desk.price("BTC/USDT", "43800")
    exits = [e for e in desk.of(OrderFilled) if e.order.reduce_only]
    assert len(exits) == 1
    assert len(desk.of(PositionClosed)) == 1
    if failure == "lose":
        # Sold at the first price; the closed position ended the bracket before the answer
        # was lost, so there is nothing left to retry (the fill says why it happened).
        assert exits[0].fill.price == D(43900)
        assert exits[0].order.reason == "stop loss at 44,000, crossed at 43,900"
        assert desk.of(TriggerFired) == []
    else:
        assert exits[0].fill.price == D(43800)
        (fired,) = desk.of(TriggerFired)
        assert (fired.target, fired.price) == (None, D(43800))
    assert len(desk.manager.brackets.index) == 0


async def test_a_signal_whose_answer_was_lost_is_retried_safely():
    desk = Desk(wrap=FlakyVenue)
    await desk.price("BTC/USDT", "45000")
    signal = make_signal(stop_loss=44000.0, take_profit=(46000.0,))
    desk.execution.lose = 1
    with pytest.raises(RetryableError):
        await desk.manager.on_signal("alice", SETTINGS, signal)
    again = await desk.manager.on_signal("alice", SETTINGS, signal)
    assert again.reason == "a long position in BTC/USDT is open already"
    assert len(desk.of(OrderFilled)) == 1
    assert len(desk.manager.brackets.brackets) == 1
