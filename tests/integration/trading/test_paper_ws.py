"""The owner's trading messages on a real server's WebSocket: each user sees its own account's
position, fill and balance messages, and never another user's."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from tests.integration.trading.paper import NO_COSTS, D, alert, prices, trader
from tests.support.users import sign_in
from tests.support.waiting import eventually

TRADING = {"position_opened", "order_filled", "position_closed", "account", "signal_handled"}


@pytest.fixture
def server(server_factory):
    return server_factory(NO_COSTS)


class Inbox:
    """Every message one connection receives, in order, read in the background."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.messages: list[dict] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.messages.append(json.loads(raw))

    async def first(self, kind: str) -> dict:
        return await eventually(lambda: next((m for m in self.messages if m["type"] == kind), None))

    async def flushed(self) -> list[dict]:
        """The trading messages received before the answer to a ping sent now: everything the
        server had queued for this connection by then."""
        pongs = sum(m["type"] == "PONG" for m in self.messages)
        await self.ws.send(json.dumps({"action": "ping"}))
        await eventually(lambda: sum(m["type"] == "PONG" for m in self.messages) > pongs)
        self._reader.cancel()
        return [m for m in self.messages if m["type"] in TRADING]


async def test_each_user_receives_its_own_trading_messages_only(server):
    for name, strategy in (("alice", "Alpha"), ("bob", "Beta")):
        await asyncio.to_thread(
            trader, server, name, paperTradeEnabled=True, subscriptions={"strategies": [strategy]}
        )
    tokens = {name: sign_in(server, name).json()["token"] for name in ("alice", "bob")}
    await asyncio.to_thread(prices, server, ("BTC/USDT", "45000"))
    url = f"{server.ws_url}/ws?token="
    async with connect(url + tokens["alice"]) as alice_ws, connect(url + tokens["bob"]) as bob_ws:
        alice, bob = Inbox(alice_ws), Inbox(bob_ws)
        for inbox in (alice, bob):
            await inbox.first("CONNECTED")

        body = {"ticker": "BTCUSDT", "action": "buy", "price": "45000", "sl": "44000"}
        await asyncio.to_thread(alert, server, {**body, "tp": "46000", "strategy": "Alpha"})
        handled = await alice.first("signal_handled")
        assert handled["data"]["action"] == "opened"
        opened = await alice.first("position_opened")
        filled = await alice.first("order_filled")
        balance = await alice.first("account")
        assert (opened["data"]["symbol"], opened["data"]["qty"]) == ("BTC/USDT", "0.022")
        assert filled["data"]["fill"]["positionId"] == opened["data"]["id"]
        assert (filled["data"]["fill"]["price"], filled["data"]["order"]["status"]) == (
            "45000",
            "filled",
        )
        assert balance["data"]["currency"] == "USDT" and D(balance["data"]["cash"]) == 10_000

        await asyncio.to_thread(alert, server, {**body, "strategy": "Beta"})
        bobs = await bob.first("position_opened")
        assert bobs["data"]["id"] != opened["data"]["id"]

        await asyncio.to_thread(prices, server, ("BTC/USDT", "46000"))  # alice's take-profit
        closed = await alice.first("position_closed")
        assert D(closed["data"]["realisedPnl"]) == D("0.022") * 1000

        seen_by_alice = await alice.flushed()
        seen_by_bob = await bob.flushed()
    # Each account's messages went to its owner alone.
    assert bobs["data"]["id"] not in json.dumps(seen_by_alice)
    assert opened["data"]["id"] not in json.dumps(seen_by_bob)
    assert [m["type"] for m in seen_by_bob].count("position_opened") == 1
    assert not [m for m in seen_by_bob if m["type"] == "position_closed"]
