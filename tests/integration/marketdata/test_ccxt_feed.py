"""The ccxt price feed through real ccxt (ccxt.pro for the WebSocket) against the local fake of
Binance's public REST and WebSocket, over loopback: streamed trades and tickers, the symbol map
to the perpetual, polling while the stream is refused, reconnecting after a cut, a hanging
exchange, an unknown symbol, and a clean close. Every price published is checked against the
fake's trade price as a Decimal."""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ccxt.pro
import pytest

from tests.support.fake_exchange import FakeBinance
from tests.support.waiting import eventually
from tradewire.bootstrap.prices import build_prices
from tradewire.core.bus import MessageBus
from tradewire.core.clock import LiveClock
from tradewire.core.prices import PriceTick
from tradewire.marketdata.adapters.ccxt_feed import CcxtFeed
from tradewire.marketdata.feeds import PriceService
from tradewire.settings import Settings

MS = 1_000_000
#: The settings every test starts from: fast retries so that a test waits for little.
FAST = {"poll_interval_s": 0.05, "timeout_s": 2, "reconnect_min_s": 0.05, "reconnect_max_s": 0.4}


@pytest.fixture
async def fake() -> AsyncIterator[FakeBinance]:
    async with FakeBinance() as exchange:
        yield exchange


def binance_urls(fake: FakeBinance) -> dict[str, Any]:
    """ccxt.pro's Binance URLs (REST and WebSocket), every one pointing at ``fake``."""
    return {"api": fake.ccxt_urls(ccxt.pro.binance().urls["api"])}  # no session until used


@dataclass
class Rig:
    """The price service (real bus, live clock) running the ccxt feed built from Settings."""

    fake: FakeBinance
    service: PriceService
    feed: CcxtFeed
    published: list[PriceTick] = field(default_factory=list)

    def pair(self, pair: str = "BTC/USDT") -> dict[str, Any]:
        return self.feed.status()["pairs"][pair]  # type: ignore[index]

    def prices(self, pair: str = "BTC/USDT") -> list[Decimal]:
        return [t.price for t in self.published if t.symbol == pair]

    async def trade(self, price: str, *, kind: str = "spot", ts_ms: int | None = None) -> int:
        """Print a trade on the fake; return its time in ms."""
        ts_ms = ts_ms or time.time_ns() // MS
        await self.fake.trade("BTCUSDT", price, kind=kind, ts_ms=ts_ms)  # type: ignore[arg-type]
        return ts_ms

    async def published_price(self, price: str, pair: str = "BTC/USDT") -> PriceTick:
        """Wait until ``price`` of ``pair`` is published; return the tick."""

        def found() -> PriceTick | None:
            return next(
                (t for t in self.published if t.symbol == pair and t.price == Decimal(price)),
                None,
            )

        return await eventually(found, timeout=10)


@asynccontextmanager
async def running(fake: FakeBinance, **ccxt_settings: Any) -> AsyncIterator[Rig]:
    """Start the price service with a ccxt feed on ``fake``; stop it (and close ccxt) after."""
    config = {"enabled": True, "pairs": ["BTC/USDT"], **FAST, **ccxt_settings}
    config["urls"] = binance_urls(fake)
    settings = Settings(_env_file=None, prices={"ccxt": config})
    bus = MessageBus()
    service = build_prices(settings, bus=bus, clock=LiveClock())
    (feed,) = service.feeds
    assert isinstance(feed, CcxtFeed)
    rig = Rig(fake, service, feed)
    bus.subscribe(PriceTick, rig.published.append)
    await service.start()
    try:
        yield rig
    finally:
        await service.stop()


def exact(tick: PriceTick, price: str, ts_ms: int, symbol: str = "BTC/USDT") -> None:
    """``tick`` is ``price`` (a Decimal, equal to the fake's) of ``symbol`` at ``ts_ms``."""
    assert isinstance(tick.price, Decimal) and tick.price == Decimal(price)
    assert (tick.symbol, tick.ts_event, tick.source) == (symbol, ts_ms * MS, "ccxt:binance")


PRICES = ("65000.10", "64999.99", "65001.37", "65002.12345678", "65002.12345679", "64000")


# --- streaming ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol_map", "kind", "other"),
    [({}, "spot", "linear"), ({"BTC/USDT": "BTC/USDT:USDT"}, "linear", "spot")],
    ids=["spot", "perpetual"],
)
async def test_trades_stream_from_the_market_the_symbol_map_names(
    fake, symbol_map, kind, other
) -> None:
    async with running(fake, symbol_map=symbol_map) as rig:
        await eventually(lambda: fake.subscribed("btcusdt@trade", kind))
        assert not fake.subscribed("btcusdt@trade", other)
        assert rig.pair()["symbol"] == symbol_map.get("BTC/USDT", "BTC/USDT")
        printed = []
        for price in PRICES:
            # The other market trades at other prices at the same moment: never published.
            ts_ms = await rig.trade(price, kind=kind)
            await rig.trade(str(Decimal(price) + 7), kind=other, ts_ms=ts_ms)
            printed.append((price, ts_ms))
        await eventually(lambda: len(rig.published) >= len(PRICES))
        assert len(rig.published) == len(PRICES)
        for tick, (price, ts_ms) in zip(rig.published, printed, strict=True):
            exact(tick, price, ts_ms)
        assert rig.service.latest("BTCUSDT") == rig.published[-1]
        status = rig.pair()
        assert (status["mode"], status["failing"], status["errors"]) == ("stream", False, 0)
        assert status["ticks"] == status["published"] == len(PRICES)
        assert not any(path.endswith("ticker/24hr") for _, path in fake.requests)  # no polling


async def test_the_ticker_channel_streams_the_last_price(fake) -> None:
    def ticker_stream(market_id: str) -> bool:
        # ccxt watches Binance's ticker as its mini ticker (fewer fields, same last price).
        return any(fake.subscribed(f"{market_id}@{name}") for name in ("ticker", "miniTicker"))

    async with running(fake, channel="ticker", pairs=["BTC/USDT", "ETH/USDT"]) as rig:
        await eventually(lambda: ticker_stream("btcusdt") and ticker_stream("ethusdt"))
        assert not fake.subscribed("btcusdt@trade")
        for price, symbol, market_id in (
            ("65000.10", "BTC/USDT", "BTCUSDT"),
            ("3012.55", "ETH/USDT", "ETHUSDT"),
            ("65010.25", "BTC/USDT", "BTCUSDT"),
        ):
            ts_ms = time.time_ns() // MS
            await fake.trade(market_id, price, ts_ms=ts_ms)
            tick = await rig.published_price(price, symbol)
            assert isinstance(tick.price, Decimal) and tick.source == "ccxt:binance"
            assert tick.ts_event >= ts_ms * MS  # the ticker's time: its event, not the trade
        assert rig.prices() == [Decimal("65000.10"), Decimal("65010.25")]
        assert rig.prices("ETH/USDT") == [Decimal("3012.55")]
        assert rig.feed.status()["channel"] == "ticker"


async def test_the_symbol_map_and_urls_come_from_the_documented_environment(
    fake, monkeypatch
) -> None:
    env = {
        "TRADEWIRE_PRICES__CCXT__ENABLED": "true",
        "TRADEWIRE_PRICES__CCXT__EXCHANGE": "binance",
        "TRADEWIRE_PRICES__CCXT__PAIRS": '["btcusdt", "ETH/USDT"]',
        "TRADEWIRE_PRICES__CCXT__SYMBOL_MAP": '{"BTCUSDT": "BTC/USDT:USDT"}',
        "TRADEWIRE_PRICES__CCXT__POLL_INTERVAL_S": "0.05",
        "TRADEWIRE_PRICES__CCXT__URLS": json.dumps(binance_urls(fake)),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.prices.ccxt.exchange_symbols() == {
        "BTC/USDT": "BTC/USDT:USDT",
        "ETH/USDT": "ETH/USDT",
    }
    service = build_prices(settings, bus=MessageBus(), clock=LiveClock())
    await service.start()
    try:
        await eventually(lambda: fake.subscribed("btcusdt@trade", "linear"))
        await eventually(lambda: fake.subscribed("ethusdt@trade", "spot"))
        await fake.trade("BTCUSDT", "65020.5", kind="linear")
        await eventually(lambda: service.latest("BTC/USDT"))
        assert service.latest("BTC/USDT").price == Decimal("65020.5")
    finally:
        await service.stop()


# --- faults ------------------------------------------------------------------------------------


async def test_a_refused_websocket_falls_back_to_polling_and_streams_again_when_it_opens(
    fake,
) -> None:
    fake.websocket = False
    async with running(fake) as rig:
        await eventually(lambda: rig.pair()["mode"] == "poll" and rig.pair()["stream_failures"])
        assert "503" in rig.pair()["last_error"] and fake.connections == 0
        polled = []
        for price in PRICES[:3]:
            ts_ms = await rig.trade(price)
            polled.append(await rig.published_price(price))
            exact(polled[-1], price, ts_ms)
        assert not rig.pair()["failing"]  # REST answers: prices flow, the stream is retried
        # Each refused handshake doubles the wait before the next, up to the most allowed.
        await eventually(lambda: rig.pair()["stream_failures"] >= 4)
        assert rig.pair()["reconnect_in_s"] == FAST["reconnect_max_s"]
        assert ("GET", "ws/0") in fake.requests

        fake.websocket = True
        await eventually(lambda: fake.subscribed("btcusdt@trade"))
        ts_ms = await rig.trade("65100.5")
        exact(await rig.published_price("65100.5"), "65100.5", ts_ms)
        status = rig.pair()
        assert (status["mode"], status["stream_failures"], status["failing"]) == (
            "stream",
            0,
            False,
        )
        # Polling repeated the last price many times; each was published once.
        assert rig.prices() == [Decimal(p) for p in PRICES[:3]] + [Decimal("65100.5")]


async def test_after_the_connection_drops_prices_resume_without_duplicates_or_stale_ticks(
    fake,
) -> None:
    async with running(fake) as rig:
        await eventually(lambda: fake.subscribed("btcusdt@trade"))
        first = await rig.trade("65000.10")
        exact(await rig.published_price("65000.10"), "65000.10", first)

        fake.websocket = False  # the cut, and the exchange refusing reconnects for a while
        await fake.drop_connections()
        await eventually(lambda: rig.pair()["mode"] == "poll" and rig.pair()["errors"] >= 1)
        assert "closed" in rig.pair()["last_error"].lower()
        # Polling reads the last trade again and again: it is not published again.
        await eventually(lambda: rig.service.counters.stale >= 2)
        during = await rig.trade("65000.55")
        exact(await rig.published_price("65000.55"), "65000.55", during)

        fake.websocket = True
        await eventually(lambda: fake.subscribed("btcusdt@trade"))
        assert fake.connections == 2
        # A trade stamped before the latest price (a late print) is read but not published.
        read = rig.pair()["ticks"]
        await rig.trade("60000", ts_ms=first - 1000)
        await eventually(lambda: rig.pair()["ticks"] > read)
        after = await rig.trade("65001")
        exact(await rig.published_price("65001"), "65001", after)

        assert rig.prices() == [Decimal("65000.10"), Decimal("65000.55"), Decimal("65001")]
        assert rig.service.latest("BTC/USDT").price == Decimal("65001")
        assert rig.pair()["published"] == 3 and rig.pair()["mode"] == "stream"


async def test_an_exchange_hanging_past_the_timeout_shows_as_failing_until_it_answers(
    fake,
) -> None:
    fake.hang_s = 3.0  # every REST answer, loading the markets first
    async with running(fake, stream=False, timeout_s=1) as rig:
        await eventually(lambda: rig.pair()["failing"] and rig.pair()["errors"] >= 1)
        assert rig.pair()["mode"] == "starting"
        assert "RequestTimeout" in rig.pair()["last_error"]

        fake.hang_s = 0
        first = await rig.trade("65000.10")
        exact(await rig.published_price("65000.10"), "65000.10", first)
        assert (rig.pair()["mode"], rig.pair()["failing"]) == ("poll", False)

        fake.hang_s = 3.0  # now while polling
        errors = rig.pair()["errors"]
        await eventually(lambda: rig.pair()["failing"] and rig.pair()["errors"] > errors)
        assert "RequestTimeout" in rig.pair()["last_error"]
        assert rig.service.latest("BTC/USDT").price == Decimal("65000.10")  # kept meanwhile

        fake.hang_s = 0
        later = await rig.trade("65005.5")
        exact(await rig.published_price("65005.5"), "65005.5", later)
        await eventually(lambda: not rig.pair()["failing"])
        assert rig.prices() == [Decimal("65000.10"), Decimal("65005.5")]


async def test_an_unknown_symbol_stops_that_pair_with_a_reason_and_the_others_run(fake) -> None:
    async with running(
        fake,
        pairs=["BTC/USDT", "XRP/USDT", "ETH/USDT"],
        symbol_map={"ETH/USDT": "ETH/USDT:BTC"},
    ) as rig:
        await eventually(lambda: fake.subscribed("btcusdt@trade"))
        for pair, symbol in (("XRP/USDT", "XRP/USDT"), ("ETH/USDT", "ETH/USDT:BTC")):
            status = rig.pair(pair)
            assert status["mode"] == "stopped", status
            assert f"binance lists no market {symbol!r} (for {pair})" in status["last_error"]
            assert "TRADEWIRE_PRICES__CCXT__SYMBOL_MAP" in status["last_error"]
        ts_ms = await rig.trade("65000.10")
        exact(await rig.published_price("65000.10"), "65000.10", ts_ms)
        assert rig.service.running and rig.pair()["mode"] == "stream"


async def test_a_market_delisted_after_loading_stops_that_pair_when_polled(fake) -> None:
    fake.delisted.add(("spot", "ETHUSDT"))  # listed in exchangeInfo, "Invalid symbol." after
    async with running(fake, pairs=["BTC/USDT", "ETH/USDT"], stream=False) as rig:
        await eventually(lambda: rig.pair("ETH/USDT")["mode"] == "stopped")
        assert "BadSymbol" in rig.pair("ETH/USDT")["last_error"]
        ts_ms = await rig.trade("65000.10")
        exact(await rig.published_price("65000.10"), "65000.10", ts_ms)
        assert rig.pair()["mode"] == "poll"


# --- closing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["streaming", "polling a hanging exchange", "never reached"])
async def test_stopping_closes_every_connection_and_session(fake, caplog, state) -> None:
    caplog.set_level(logging.WARNING)
    settings: dict[str, Any] = {}
    if state == "polling a hanging exchange":
        settings = {"stream": False, "timeout_s": 5}
    async with running(fake, **settings) as rig:
        if state == "streaming":
            await eventually(lambda: fake.subscribed("btcusdt@trade"))
            ts_ms = await rig.trade("65000.10")
            exact(await rig.published_price("65000.10"), "65000.10", ts_ms)
        elif state == "polling a hanging exchange":
            await rig.trade("65000.10")
            await rig.published_price("65000.10")
            fake.hang_s = 3.0
            requests = len(fake.requests)
            await eventually(lambda: len(fake.requests) > requests)  # a poll is waiting
        exchange = rig.feed._exchange
    assert exchange.session is None and not exchange.clients
    await eventually(lambda: not fake.subscribed("btcusdt@trade"))
    gc.collect()
    leaks = [r.getMessage() for r in caplog.records if _leak(r.getMessage())]
    assert leaks == []


def _leak(message: str) -> bool:
    return any(
        words in message
        for words in ("Unclosed", "requires to release all resources", "Task was destroyed")
    )
