"""The paper desk's events as the owner's WebSocket messages, through the real hub: each user's
connections get that user's account messages, in order, money as strings, and nobody else's."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.support.waiting import eventually
from tests.unit.signals.fakes import FakeTransport
from tests.unit.trading.test_desk import LONG, World, strategy
from tradewire.api.ws_sessions import UserConnections
from tradewire.api.ws_trading import TradingMessages
from tradewire.signals.hub import SignalHub
from tradewire.signals.latency import LatencyTracker


async def test_each_user_gets_its_own_account_messages_only():
    world = World()
    hub = SignalHub(LatencyTracker())
    connections = UserConnections(hub)
    messages = TradingMessages(hub, connections)
    for kind in TradingMessages.KINDS:
        world.bus.subscribe(kind, messages.on_event)
    transports = {name: FakeTransport() for name in ("alice", "bob")}
    for name, transport in transports.items():
        connections.add(hub.attach(transport, name, "subscriber"))
    await world.user("alice", paper_trade_enabled=True)
    await world.user("bob", paper_trade_enabled=True, subscriptions={"strategies": ["Beta"]})
    await world.desk.start()
    await world.price("BTC/USDT", "45000")

    await world.signal(strategy("Alpha", **LONG))  # alice's only

    await eventually(lambda: len(transports["alice"].sent) == 6)
    sent = [json.loads(m) for m in transports["alice"].sent]
    # The account opens (a balance per currency), the entry fills, then the decision.
    assert [m["type"] for m in sent] == [
        "account",
        "account",
        "order_filled",
        "position_opened",
        "account",
        "signal_handled",
    ]
    fill, opened, balance = (m["data"] for m in sent[2:5])
    assert (fill["fill"]["qty"], fill["fill"]["price"], fill["fill"]["side"]) == (
        "0.022",
        "45000",
        "long",
    )
    assert (opened["symbol"], opened["qty"], opened["avgEntry"]) == ("BTC/USDT", "0.022", "45000")
    assert (balance["currency"], Decimal(balance["cash"])) == ("USDT", 10_000)
    assert transports["bob"].sent == []

    await world.price("BTC/USDT", "46000")  # alice's take-profit
    closed = await eventually(
        lambda: [m for m in map(json.loads, transports["alice"].sent) if "closed" in m["type"]]
    )
    assert Decimal(closed[0]["data"]["realisedPnl"]) == Decimal("0.022") * 1000
    assert transports["bob"].sent == []
    await hub.stop()
    await world.desk.stop()
