"""The price service: latest price per symbol, newer ticks only, bounded, published on the bus."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.support.waiting import eventually
from tradewire.core.bus import MessageBus
from tradewire.core.clock import TestClock, datetime_to_ns
from tradewire.core.errors import ValidationError
from tradewire.core.events import (
    DataSource,
    MarketSnapshot,
    Quote,
    TapeStored,
    TapeTrade,
)
from tradewire.core.prices import PriceTick
from tradewire.marketdata.feeds import Emit, PriceService
from tradewire.marketdata.feeds.replay import ReplayFeed, replay_prices

NOV_3 = datetime_to_ns(datetime(2025, 11, 3, 15, tzinfo=UTC))
S = 1_000_000_000


def tick(symbol: str, price: str, ts: int = NOV_3, source: str = "api") -> PriceTick:
    return PriceTick(symbol=symbol, price=Decimal(price), source=source, ts_event=ts, ts_init=ts)


def trade(symbol: str, price: float, ts: int) -> TapeTrade:
    return TapeTrade(
        id=f"{symbol}{ts}", market_id=f"{symbol}{ts}", ts_ns=ts, symbol=symbol, account="a",
        timestamp="", price=price, size=1,
    )  # fmt: skip


class Rig:
    def __init__(self, max_symbols: int = 100, feeds=()) -> None:
        self.bus = MessageBus()
        self.clock = TestClock(NOV_3)
        self.published: list[PriceTick] = []
        self.bus.subscribe(PriceTick, self.published.append)
        self.prices = PriceService(self.bus, self.clock, max_symbols=max_symbols, feeds=feeds)


def test_newer_ticks_are_kept_and_published_older_ones_and_repeats_dropped() -> None:
    rig = Rig()
    first = rig.prices.update(tick("SPY", "600.10"))
    assert first == tick("SPY", "600.10") and rig.published == [first]
    assert rig.prices.update(tick("SPY", "599.00", NOV_3 - S)) is None  # older
    assert rig.prices.update(tick("SPY", "600.10")) is None  # the same print again
    same_time = rig.prices.update(tick("SPY", "600.20"))  # same instant, another price
    later = rig.prices.update(tick("SPY", "601", NOV_3 + S))
    assert rig.published == [first, same_time, later]
    assert rig.prices.latest("SPY") == later
    assert (rig.prices.counters.published, rig.prices.counters.stale) == (3, 2)


def test_symbols_are_priced_as_signals_name_them() -> None:
    rig = Rig()
    kept = rig.prices.update(tick("btcusdt", "65000.5"))
    assert kept is not None and kept.symbol == "BTC/USDT"
    assert rig.prices.latest("BTC/USDT") == kept == rig.prices.latest("BINANCE:BTCUSDT")
    # A price posted for the continuous future prices the contract of its day.
    assert rig.prices.update(tick("NQ1!", "21450.25")).symbol == "NQZ5"
    assert rig.prices.latest("NQ1!") == rig.prices.latest("NQZ5")
    assert rig.prices.latest("ES1!") is None
    with pytest.raises(ValidationError):
        rig.prices.latest("no such symbol")


def test_a_signal_on_the_continuous_future_is_priced_by_the_front_month_after_the_roll() -> None:
    rig = Rig()
    dec_10 = datetime_to_ns(datetime(2025, 12, 10, 20, tzinfo=UTC))
    rig.clock.advance(dec_10 / S - NOV_3 / S)
    rig.prices.update(tick("NQZ5", "21450.25", dec_10))
    assert rig.prices.latest("NQ1!").symbol == "NQZ5"
    rig.clock.advance(86_400)  # the roll day: the March contract is the front month
    assert rig.prices.latest("NQ1!") is None
    rig.prices.update(tick("NQH6", "21610.00", rig.clock.now_ns()))
    assert rig.prices.latest("NQ1!").price == Decimal("21610.00")


def test_a_tick_stamped_in_the_future_is_dropped_lest_it_hide_every_true_price() -> None:
    rig = Rig()
    assert rig.prices.update(tick("ESZ5", "6850.25", NOV_3 + 30 * S)) is not None  # a fast clock
    assert rig.prices.update(tick("ESZ5", "6900", NOV_3 + 3600 * S)) is None  # a wrong zone
    assert rig.prices.update(tick("ESZ5", "6850.5", NOV_3 + 60 * S)) is not None
    assert rig.prices.latest("ESZ5").price == Decimal("6850.5")
    assert (rig.prices.counters.future, rig.prices.counters.published) == (1, 2)
    rig.clock.advance(3600)
    assert rig.prices.update(tick("ESZ5", "6900", NOV_3 + 3600 * S)) is not None  # its time came


def test_memory_is_bounded_by_evicting_the_symbol_updated_longest_ago() -> None:
    rig = Rig(max_symbols=10)
    for i in range(10):
        rig.prices.update(tick(f"T{i}", "1", NOV_3 + i))
    rig.prices.update(tick("T0", "2", NOV_3 + 10))  # T0 is fresh again, T1 the oldest
    rig.prices.update(tick("NEW", "3", NOV_3 + 11))
    assert rig.prices.latest("T1") is None and rig.prices.latest("T0") is not None
    assert len(rig.prices.prices()) == 10 and rig.prices.counters.evicted == 1


async def test_tape_prints_price_each_symbol_by_its_last_print_in_time_order() -> None:
    rig = Rig()
    await rig.prices.start()
    trades = (
        trade("ESZ5", 6850.25, NOV_3 + 1),
        trade("NQZ5", 25146.0, NOV_3 + 2),
        trade("NQZ5", 25146.5, NOV_3 + 3),
        trade("ESZ5", 6850.5, NOV_3 + 4),
    )
    await rig.bus.publish(TapeStored(ts_event=NOV_3, ts_init=NOV_3, trades=trades))
    assert [(t.symbol, t.price, t.ts_event, t.source) for t in rig.published] == [
        ("NQZ5", Decimal("25146.5"), NOV_3 + 3, "tape"),
        ("ESZ5", Decimal("6850.5"), NOV_3 + 4, "tape"),
    ]
    await rig.prices.stop()
    await rig.bus.publish(TapeStored(ts_event=NOV_3, ts_init=NOV_3, trades=trades))
    assert len(rig.published) == 2  # a stopped service follows nothing


async def test_collector_quotes_price_their_ticker() -> None:
    rig = Rig()
    await rig.prices.start()
    quote = Quote(
        ticker="SPY", price=600.12, change=None, change_percent=None, open=None, high=None,
        low=None, prev_close=None, volume=None, data_source=DataSource.REPLAY, ts_event=NOV_3,
        ts_init=NOV_3,
    )  # fmt: skip
    snapshot = MarketSnapshot(
        ticker="SPY", quote=quote, timeframes=(), data_source=DataSource.REPLAY, ts_event=NOV_3,
        ts_init=NOV_3,
    )  # fmt: skip
    await rig.bus.publish(snapshot)
    assert rig.published == [tick("SPY", "600.12", source="quote")]
    await rig.prices.stop()


async def test_feeds_run_while_started_and_one_failing_feed_leaves_the_others_running() -> None:
    class Broken:
        name = "broken"
        closed = False

        async def run(self, emit: Emit) -> None:
            raise RuntimeError("a bug in a feed")

        async def aclose(self) -> None:
            self.closed = True

        def status(self) -> dict[str, object]:
            return {"name": self.name}

    broken = Broken()
    replay = ReplayFeed({"BTC/USDT": Decimal("45000.0")}, TestClock(NOV_3), pace_s=0.001)
    rig = Rig(feeds=(broken, replay))
    await rig.prices.start()
    await eventually(lambda: len(rig.published) >= 3)
    await rig.prices.stop()
    seen = len(rig.published)
    await asyncio.sleep(0.01)
    assert len(rig.published) == seen and broken.closed
    assert [t.price for t in rig.published[:3]] == replay_prices("BTC/USDT", Decimal("45000.0"), 3)


def test_replay_prices_are_deterministic_per_symbol_and_keep_six_significant_digits() -> None:
    btc = replay_prices("BTC/USDT", Decimal("45000"), 50)
    assert btc == replay_prices("BTC/USDT", Decimal("45000"), 50)
    assert btc != replay_prices("ETH/USDT", Decimal("45000"), 50)
    assert btc[0] == Decimal("45000.0") and len(set(btc)) > 40
    assert all(p.as_tuple().exponent == -1 for p in btc)
    assert all(abs(b / a - 1) < Decimal("0.005") for a, b in itertools.pairwise(btc))
    xrp = replay_prices("XRP/USDT", Decimal("0.52"), 5)
    assert xrp[0] == Decimal("0.520000") and len(set(xrp)) == 5


async def test_the_replay_feed_stops_after_its_steps() -> None:
    clock = TestClock(NOV_3)
    feed = ReplayFeed(
        {"BTC/USDT": Decimal("45000.0"), "SOL/USDT": Decimal("98")}, clock, pace_s=0, steps=4
    )
    got: list[PriceTick] = []
    await feed.run(lambda t: got.append(t) or t)
    assert [t.symbol for t in got] == ["BTC/USDT", "SOL/USDT"] * 4
    assert {t.source for t in got} == {"replay"} and feed.status()["emitted"] == 8
