"""A restart anywhere on a scripted path resumes positions, pending triggers, stops moved to
break-even or trailed, pending entries and balances exactly: the journal replayed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit.trading.desk import Desk
from tradewire.trading.account import AccountSettings, TrailingStop
from tradewire.trading.events import BracketArmed, PositionClosed, StopMoved, TriggerFired
from tradewire.trading.fees import FeeModel, SlippageModel, SlippageUnit
from tradewire.trading.journal import MemoryTradeJournal

D = Decimal
PATH = ("45200", "45600", "46050", "45900", "46700", "46200", "47100", "45400", "44100", "44300")
SETTINGS = AccountSettings(
    risk_percent=D(1),
    max_notional_percent=D(100),
    break_even_after_first_take_profit=True,
    trailing_stop=TrailingStop(distance=D(3)),
)


async def run(restart_before: int | None) -> Desk:
    desk = Desk(
        fees=FeeModel(maker_bps=D(2), taker_bps=D(5)),
        slippage=SlippageModel(amount=D(1), unit=SlippageUnit.BPS),
    )
    await desk.price("BTC/USDT", "45000")
    await desk.signal(id="s1", stop_loss=44000.0, take_profit=(46000.0, 48000.0), settings=SETTINGS)
    # Bob's entry rests at 44,900 and fills on the way down; carol's never does.
    await desk.signal("bob", id="s2", entry=44900.0, stop_loss=44500.0, take_profit=(47000.0,))
    await desk.signal("carol", id="s3", entry=40000.0, stop_loss=39000.0)
    for n, price in enumerate(PATH):
        if n == restart_before:
            desk = await desk.restart()
        await desk.price("BTC/USDT", price)
    return desk


async def outcome(desk: Desk) -> dict:
    result = {}
    for account in ("alice", "bob", "carol"):
        result[account] = (
            [
                (f.side, f.qty, f.price, f.fee, f.realised_pnl, f.liquidity)
                for f in await desk.venue.fills(account)
            ],
            [(b.currency, b.cash, b.equity) for b in await desk.venue.balances(account)],
            [(p.side, p.qty, p.cost) for p in await desk.venue.positions(account)],
            [(o.type, o.price, o.status) for o in await desk.venue.orders(account, open_only=True)],
        )
    book = desk.manager.brackets
    result["brackets"] = sorted(
        (b.account, b.stop, b.stop_reason, tuple(b.targets)) for b in book.brackets.values()
    )
    result["plans"] = sorted(book.plans)
    result["triggers"] = len(book.index)
    return result


@pytest.mark.parametrize("restart_before", range(1, len(PATH)))
async def test_a_restart_anywhere_on_the_path_changes_nothing(restart_before):
    assert await outcome(await run(restart_before)) == await outcome(await run(None))


async def test_the_path_itself_trades():
    desk = await run(None)
    # Alice: long at 45,004.5 (1 bp slippage); her stop trails 3% under the highs (44,232
    # under 45,600, 44,668.5 under 46,050), the first target 46,000 fills and the stop goes to
    # break-even 45,004.5, trails again to 45,299 and 45,687 (3% under 47,100), and 45,400
    # stops her out. Bob's limit at 44,900 fills when the price falls to 44,100, already
    # through his stop at 44,500, which fires on the next price. Carol's entry never fills.
    moved = [(e.stop, e.reason.value) for e in desk.of(StopMoved) if e.account == "alice"]
    assert moved == [
        (D("44232"), "trailing stop"),
        (D("44668.5"), "trailing stop"),
        (D("45004.5"), "break-even stop"),
        (D("45299"), "trailing stop"),
        (D("45687"), "trailing stop"),
    ]
    exits = [(e.account, e.price) for e in desk.of(TriggerFired)]
    assert exits == [("alice", D(46050)), ("alice", D(45400)), ("bob", D(44300))]
    assert {e.account for e in desk.of(PositionClosed)} == {"alice", "bob"}
    assert [account for account, _ in desk.manager.brackets.plans] == ["carol"]


async def test_an_entry_filled_but_not_recorded_as_armed_is_armed_at_start():
    desk = Desk()
    await desk.price("BTC/USDT", "45000")
    await desk.signal(stop_loss=44000.0, take_profit=(46000.0,))
    # The process died after the venue recorded the fill, before the manager recorded arming.
    crashed = MemoryTradeJournal()
    events = [e for e in await desk.journal.read("alice") if not isinstance(e, BracketArmed)]
    await crashed.append("alice", events)
    restarted = await desk.restart(crashed)
    assert len(restarted.manager.brackets.index) == 2
    await restarted.path("BTC/USDT", "45000", "46000")
    assert await restarted.venue.positions("alice") == []
