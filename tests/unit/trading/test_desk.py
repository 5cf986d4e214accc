"""The paper desk: signals to the users who opted in and follow them, settings changes taken at
once, continuous futures traded as the front month, retries that never trade twice, prices
from the bus in order, a restart, a reset and a close by the trader."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.fakes.flaky_journal import FlakyJournal
from tests.fakes.user_store import MemoryUserStore
from tests.support.waiting import eventually
from tests.unit.trading.desk import NO_FEES, NO_SLIPPAGE, make_signal
from tests.unit.users.conftest import cheap_hasher
from tradewire.core.bus import MessageBus
from tradewire.core.clock import TestClock
from tradewire.core.errors import NotFoundError
from tradewire.core.events import Direction, Side, Signal, SignalEmitted
from tradewire.core.prices import PriceTick
from tradewire.trading.config import PaperSettings, TradingSettings
from tradewire.trading.desk import PaperDesk, Retry
from tradewire.trading.events import PositionOpened, SignalAction, SignalHandled, TradingEvent
from tradewire.trading.journal import MemoryTradeJournal
from tradewire.trading.ports import TradeJournal
from tradewire.users.passwords import Passwords
from tradewire.users.service import UserService

D = Decimal
SETTINGS = TradingSettings(paper=PaperSettings(fees=NO_FEES, slippage=NO_SLIPPAGE))
LONG = {"stop_loss": 44000.0, "take_profit": (46000.0,)}
QUICK = Retry(attempts=3, first_delay_s=0.001, max_delay_s=0.01)


class World:
    """A bus, a user service on the in-memory store and a paper desk, as the container wires
    them; ``events`` collects every trading event the bus carried."""

    def __init__(self, journal: TradeJournal | None = None, **desk: object) -> None:
        self.clock = TestClock()
        self.bus = MessageBus()
        self.store = MemoryUserStore()
        self.users = UserService(self.store, Passwords(cheap_hasher()), self.bus, self.clock)
        self.journal = journal if journal is not None else MemoryTradeJournal()
        self.desk_options = desk
        self.desk = self.new_desk()
        self.events: list[TradingEvent] = []
        self.bus.subscribe(TradingEvent, self.events.append)

    def new_desk(self) -> PaperDesk:
        return PaperDesk(
            SETTINGS, self.journal, self.bus, self.users, self.clock, **self.desk_options
        )

    async def user(self, name: str, **settings: object) -> None:
        await self.users.add(name, "subscriber")
        if settings:
            await self.users.update_settings(name, **settings)

    async def price(self, symbol: str, price: str) -> None:
        """A price, handled before this returns (the desk's queue is tested on its own)."""
        self.clock.advance(1)
        now = self.clock.now_ns()
        tick = PriceTick(ts_event=now, ts_init=now, symbol=symbol, price=D(price), source="test")
        await self.desk.manager.on_price(tick)

    async def signal(self, signal: Signal) -> list:
        now = self.clock.now_ns()
        return await self.desk.on_signal(SignalEmitted(signal=signal, ts_event=now, ts_init=now))

    async def holdings(self, account: str) -> list[tuple[str, str, Decimal]]:
        return [(p.symbol, p.side.value, p.qty) for p in await self.desk.positions(account)]


def strategy(name: str | None, **fields: object) -> Signal:
    return replace(make_signal(**fields), strategy=name)


async def test_a_signal_trades_for_every_follower_of_it_and_nobody_else():
    world = World()
    await world.user("alice", paper_trade_enabled=True)
    await world.user("bob", paper_trade_enabled=True, subscriptions={"strategies": ["Trend"]})
    await world.user("carol")  # did not opt in
    await world.user("dave", paper_trade_enabled=True, subscriptions={"symbols": ["ETHUSDT"]})
    await world.user("erin", paper_trade_enabled=True)
    await world.user(
        "fred", paper_trade_enabled=True, subscriptions={"symbols": ["BINANCE:BTCUSDT"]}
    )
    await world.users.set_disabled("erin", True)
    await world.desk.start()
    await world.price("BTC/USDT", "45000")

    handled = await world.signal(strategy("breakout", **LONG))

    assert sorted(h.account for h in handled) == ["alice", "fred"]
    assert {h.action for h in handled} == {SignalAction.OPENED}
    for name in ("alice", "fred"):
        # 2 % of 10,000 over a 1,000 stop is 0.2 BTC; 10 % of equity caps it at 0.022.
        assert await world.holdings(name) == [("BTC/USDT", "long", D("0.022"))]
    for name in ("bob", "carol", "dave", "erin"):
        assert await world.holdings(name) == []
    assert {e.account for e in world.events if isinstance(e, PositionOpened)} == {"alice", "fred"}

    trend = await world.signal(strategy("TREND", pair="ETH/USDT", stop_loss=2300.0))
    assert sorted(h.account for h in trend) == ["alice", "bob", "dave"]
    await world.desk.stop()


async def test_settings_saved_take_effect_for_the_next_signal():
    world = World()
    await world.user("carol")
    await world.desk.start()
    await world.price("BTC/USDT", "45000")
    assert await world.signal(strategy(None, **LONG)) == []

    await world.users.update_settings("carol", paper_trade_enabled=True, risk_percent="0.1")
    (handled,) = await world.signal(strategy(None, **LONG))
    # 0.1 % of 10,000 is 10 USDT over a 1,000 stop: 0.01 BTC, under the cap.
    assert handled.action is SignalAction.OPENED
    assert await world.holdings("carol") == [("BTC/USDT", "long", D("0.01"))]

    await world.users.update_settings("carol", paper_trade_enabled=False)
    assert await world.signal(strategy(None, direction=Direction.SELL)) == []
    await world.desk.stop()


async def test_a_continuous_future_trades_the_contract_its_tape_prices():
    world = World(resolve_symbol=lambda pair, _ts: "MNQZ5" if pair == "MNQ1!" else pair)
    await world.user("alice", paper_trade_enabled=True, max_notional_percent="1000")
    await world.desk.start()
    await world.price("MNQZ5", "21000")

    (handled,) = await world.signal(
        strategy(None, pair="MNQ1!", stop_loss=20950.0, take_profit=(21100.0,))
    )

    # 200 USD of risk over 50 points of 2 USD: 2 contracts (84,000 USD, under 1000 % of 10,000).
    assert (handled.symbol, handled.action) == ("MNQZ5", SignalAction.OPENED), handled.reason
    assert await world.holdings("alice") == [("MNQZ5", "long", D(2))]
    await world.price("MNQZ5", "21100")
    (closed,) = await world.desk.closed_positions("alice")
    assert closed.realised_pnl == 100 * 2 * 2
    await world.desk.stop()


async def test_a_retryable_journal_error_is_retried_and_trades_once():
    journal = FlakyJournal()
    world = World(journal, retry=QUICK)
    await world.user("alice", paper_trade_enabled=True)
    await world.desk.start()
    await world.price("BTC/USDT", "45000")

    journal.fail = 2
    (handled,) = await world.signal(strategy(None, **LONG))

    assert journal.refused == 2
    assert handled.action is SignalAction.OPENED
    assert await world.holdings("alice") == [("BTC/USDT", "long", D("0.022"))]
    assert len(await world.desk.fills("alice")) == 1
    await world.desk.stop()


async def test_a_signal_is_given_up_after_its_attempts_with_nothing_traded():
    journal = FlakyJournal()
    world = World(journal, retry=QUICK)
    await world.user("alice", paper_trade_enabled=True)
    await world.desk.start()
    await world.price("BTC/USDT", "45000")

    journal.fail = -1
    assert await world.signal(strategy(None, **LONG)) == [None]
    assert journal.refused == QUICK.attempts
    assert await world.holdings("alice") == []
    await world.desk.stop()


async def test_prices_from_the_bus_are_taken_in_order():
    world = World()
    await world.user("alice", paper_trade_enabled=True)
    await world.desk.start()
    await world.price("BTC/USDT", "45000")
    await world.signal(strategy(None, **LONG))

    # Published without waiting, as the price service does: the take-profit is crossed by
    # the second price only, and the position must close at it, not at a later mark.
    for price in ("45500", "46200", "45100", "44000"):
        world.clock.advance(1)
        now = world.clock.now_ns()
        world.bus.publish_nowait(
            PriceTick(ts_event=now, ts_init=now, symbol="BTC/USDT", price=D(price), source="t")
        )

    (closed,) = await eventually(lambda: world.desk.closed_positions("alice"))
    # Closed by the take-profit at 46,000, crossed at 46,200 (a market exit fills there).
    assert closed.realised_pnl == D("0.022") * 1200
    (balance,) = [b for b in await world.desk.balances("alice") if b.currency == "USDT"]
    assert balance.cash == D(10_000) + D("26.4")
    await world.desk.stop()


async def test_a_restart_resumes_positions_brackets_and_balances():
    world = World()
    await world.user("alice", paper_trade_enabled=True)
    await world.desk.start()
    await world.price("BTC/USDT", "45000")
    await world.signal(strategy(None, **LONG))
    before = (await world.desk.positions("alice"), await world.desk.balances("alice"))
    await world.desk.stop()

    world.desk = world.new_desk()
    await world.desk.start()

    assert (await world.desk.positions("alice"), await world.desk.balances("alice")) == before
    (position,) = before[0]
    bracket = world.desk.bracket("alice", position.id)
    assert bracket is not None and bracket.stop == D(44000)
    await world.price("BTC/USDT", "43900")  # through the stop
    assert await world.holdings("alice") == []
    await world.desk.stop()


async def test_a_trader_closes_a_position_and_resets_the_account():
    world = World()
    await world.user("alice", paper_trade_enabled=True)
    await world.desk.start()
    await world.price("BTC/USDT", "45000")
    await world.signal(strategy(None, **LONG))
    (position,) = await world.desk.positions("alice")
    with pytest.raises(NotFoundError):
        await world.desk.close("alice", "no-such-position")

    await world.price("BTC/USDT", "45500")
    order = await world.desk.close("alice", position.id)
    assert order.reduce_only and order.filled_qty == D("0.022")
    assert world.desk.bracket("alice", position.id) is None
    (closed,) = await world.desk.closed_positions("alice")
    assert closed.realised_pnl == D(11)

    await world.signal(strategy(None, **LONG))
    assert len(world.desk.manager.brackets.index) == 2
    balances = await world.desk.reset("alice")
    assert [(b.currency, b.cash) for b in balances] == [("USDT", D(10_000)), ("USD", D(10_000))]
    assert await world.holdings("alice") == []
    assert await world.desk.closed_positions("alice") == []
    assert len(world.desk.manager.brackets.index) == 0  # no exit of a vanished position waits
    await world.desk.stop()


async def test_signals_and_prices_arriving_together_keep_every_account_consistent():
    world = World()
    names = [f"u{n}" for n in range(40)]
    for n, name in enumerate(names):
        await world.user(name, paper_trade_enabled=True, risk_percent=str(1 + n % 3))
    await world.desk.start()
    await world.price("BTC/USDT", "45000")
    path = ["45100", "44900", "45300", "46100", "45800", "44700", "43900", "44400", "45200"]
    signals = [
        strategy(None, **LONG),
        strategy(None, direction=Direction.SELL, stop_loss=46500.0, take_profit=(44000.0,)),
        strategy(None, direction=Direction.BUY, stop_loss=43000.0, take_profit=(46000.0,)),
    ]
    # Everything published without waiting, interleaved, as the webhook and the feeds do.
    for n, price in enumerate(path):
        world.clock.advance(1)
        now = world.clock.now_ns()
        world.bus.publish_nowait(
            PriceTick(ts_event=now, ts_init=now, symbol="BTC/USDT", price=D(price), source="t")
        )
        if n % 3 == 0:
            signal = signals[n // 3]
            world.bus.publish_nowait(SignalEmitted(signal=signal, ts_event=now, ts_init=now))

    # The checks below hold between any two events of an account: no need to wait for prices.
    await eventually(
        lambda: (
            len([e for e in world.events if isinstance(e, SignalHandled)])
            == len(names) * len(signals)
        )
    )
    for name in names:
        fills = await world.desk.fills(name)
        net = sum((f.qty if f.side is Side.LONG else -f.qty) for f in fills)
        held = sum((p.qty * p.sign) for p in await world.desk.positions(name))
        assert net == held, name
        realised = sum(f.realised_pnl for f in fills)
        (usdt,) = [b for b in await world.desk.balances(name) if b.currency == "USDT"]
        assert usdt.cash == 10_000 + realised - sum(f.fee for f in fills), name
        assert len(await world.desk.positions(name)) <= 1
    # Every account traded: the first long was closed (by the sell signal, or a level).
    for name in names:
        assert await world.desk.closed_positions(name), name
