"""TradeJournal contract: each account's events read back equal and in the order appended, also
when many accounts append at once and after a restart; a paper venue and trade manager rebuilt
from the journal are the ones that wrote it."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

from tests.contract.trade_journal.subjects import Subject, moved
from tests.unit.trading.desk import Desk
from tradewire.core.events import Direction
from tradewire.core.prices import PriceTick
from tradewire.trading import codec
from tradewire.trading.account import AccountSettings, TrailingStop
from tradewire.trading.events import TradingEvent
from tradewire.trading.fees import FeeModel, SlippageModel, SlippageUnit

D = Decimal


async def test_an_account_with_no_events(subject: Subject):
    assert await subject.journal.read("nobody") == []
    assert await subject.journal.accounts() == []


async def test_events_read_back_equal_in_the_order_appended(subject: Subject):
    journal = subject.journal
    await journal.append("alice", [moved("alice", 1), moved("alice", 2, "0.000000000001")])
    await journal.append("bob", [moved("bob", 3)])
    await journal.append("alice", [moved("alice", 4, "1E+3")])
    assert await journal.read("alice") == [
        moved("alice", 1),
        moved("alice", 2, "0.000000000001"),
        moved("alice", 4, "1000"),
    ]
    assert str((await journal.read("alice"))[1].stop) == "1E-12"
    assert await journal.read("bob") == [moved("bob", 3)]
    assert sorted(await journal.accounts()) == ["alice", "bob"]


async def test_concurrent_appends_keep_every_event_once_in_each_accounts_order(subject: Subject):
    rng = random.Random(15)
    names = [f"acct-{n:02}" for n in range(50)]
    batches: list[tuple[str, list[TradingEvent]]] = []
    for n in range(200):
        account = rng.choice(names)
        batches.append((account, [moved(account, n * 10 + i) for i in range(rng.randint(1, 3))]))
    await asyncio.gather(*(subject.journal.append(account, batch) for account, batch in batches))
    for account in names:
        expected = [event for name, batch in batches if name == account for event in batch]
        assert await subject.journal.read(account) == expected
    assert sorted(await subject.journal.accounts()) == sorted({a for a, _ in batches})


async def test_a_restarted_journal_reads_everything_and_continues_the_order(subject: Subject):
    await subject.journal.append("alice", [moved("alice", 1), moved("alice", 2)])
    await subject.journal.append("bob", [moved("bob", 3)])
    reopened = subject.reopen()
    assert await reopened.read("alice") == [moved("alice", 1), moved("alice", 2)]
    await reopened.append("alice", [moved("alice", 4)])
    await reopened.append("carol", [moved("carol", 5)])
    assert await reopened.read("alice") == [moved("alice", n) for n in (1, 2, 4)]
    again = subject.reopen()
    assert await again.read("alice") == [moved("alice", n) for n in (1, 2, 4)]
    assert sorted(await again.accounts()) == ["alice", "bob", "carol"]


# --- a paper desk over the journal ---------------------------------------------------------

MANAGED = AccountSettings(
    risk_percent=D(1),
    max_notional_percent=D(100),
    break_even_after_first_take_profit=True,
    trailing_stop=TrailingStop(distance=D(3)),
)
BEFORE = ("45200", "45600", "46050", "45900")
AFTER = ("46700", "46200", "47100", "45400", "44100", "44300")
ACCOUNTS = ("alice", "bob", "carol", "dave")


def desk(**fields) -> Desk:
    return Desk(
        fees=FeeModel(maker_bps=D(2), taker_bps=D(5)),
        slippage=SlippageModel(amount=D(1), unit=SlippageUnit.BPS),
        balances={"USDT": D(10_000), "USD": D(1_000_000)},
        **fields,
    )


async def open_trades(d: Desk) -> None:
    """Positions with brackets (one managed: break-even and trailing), a resting entry that
    fills later, one that never does, and a short NQ future."""
    for account in ACCOUNTS:
        await d.venue.reset(account)
    await d.price("BTC/USDT", "45000")
    await d.price("NQZ5", "20000")
    await d.signal(id="s1", stop_loss=44000.0, take_profit=(46000.0, 48000.0), settings=MANAGED)
    await d.signal("bob", id="s2", entry=44900.0, stop_loss=44500.0, take_profit=(47000.0,))
    await d.signal("carol", id="s3", entry=40000.0, stop_loss=39000.0)
    await d.signal(
        "dave",
        id="s4",
        pair="NQZ5",
        direction=Direction.SELL,
        stop_loss=20100.0,
        take_profit=(19900.0, 19800.0),
        settings=AccountSettings(max_notional_percent=D(100)),
    )


async def state(d: Desk) -> dict:
    """What an account holds and what guards it, without the ids a run draws at random."""
    out: dict = {}
    for account in ACCOUNTS:
        out[account] = (
            [(f.side, f.qty, f.price, f.fee, f.realised_pnl) for f in await d.venue.fills(account)],
            await d.venue.balances(account),
            [(p.side, p.qty, p.cost, p.mark) for p in await d.venue.positions(account)],
            [(o.type, o.price, o.qty) for o in await d.venue.orders(account, open_only=True)],
        )
    book = d.manager.brackets
    out["brackets"] = sorted(
        (b.account, b.stop, b.stop_reason, tuple(b.targets)) for b in book.brackets.values()
    )
    out["plans"] = sorted(book.plans)
    out["triggers"] = len(book.index)
    out["handled"] = sorted(book.handled)
    return out


async def test_a_desk_restored_from_the_journal_is_the_one_that_wrote_it(subject: Subject):
    written = desk(journal=subject.journal)
    await open_trades(written)
    await written.path("BTC/USDT", *BEFORE)
    await written.price("NQZ5", "19950")
    restored = await written.restart(subject.reopen())
    # Prices are not journaled: a restarted desk marks at the next ones (here, the last ones).
    for symbol, price in (("BTC/USDT", BEFORE[-1]), ("NQZ5", "19950")):
        now = restored.clock.now_ns()
        tick = PriceTick(ts_event=now, ts_init=now, symbol=symbol, price=D(price), source="test")
        await restored.manager.on_price(tick)
    assert await state(restored) == await state(written)

    # ...and trades on exactly as a desk that never stopped.
    await restored.path("BTC/USDT", *AFTER)
    await restored.path("NQZ5", "19890", "20150")
    reference = desk()
    await open_trades(reference)
    await reference.path("BTC/USDT", *BEFORE)
    await reference.price("NQZ5", "19950")
    await reference.path("BTC/USDT", *AFTER)
    await reference.path("NQZ5", "19890", "20150")
    assert await state(restored) == await state(reference)


async def test_everything_a_desk_publishes_is_in_its_journal(subject: Subject):
    d = desk(journal=subject.journal)
    await open_trades(d)
    await d.path("BTC/USDT", *BEFORE, *AFTER)
    for account in ACCOUNTS:
        published = [e for e in d.events if e.account == account]
        stored = await subject.reopen().read(account)
        assert sorted(map(codec.dumps, stored)) == sorted(map(codec.dumps, published))
