"""The analyst on a real server over the fake Yahoo server: with ``analyzer.publish_signals`` on,
a new BUY becomes a stored signal (source analyzer, strategy decision-engine) that reaches
WebSocket subscribers and the paper accounts that follow the strategy, and is not sent again
while the call stands; off, nothing is published."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.integration.trading.paper import trader
from tests.support.fake_providers import FakeProvider, fake_yahoo
from tests.support.server import ServerProcess
from tests.support.users import bearer
from tests.support.waiting import eventually

WATCHLIST = {"SPY", "QQQ", "NVDA"}


@pytest.fixture(scope="module")
def yahoo() -> Iterator[FakeProvider]:
    with fake_yahoo() as server:
        yield server


def analyst_env(yahoo: FakeProvider, publish: bool) -> dict[str, str]:
    return {
        "TRADEWIRE_QUOTE_PROVIDERS": '["yahoo"]',
        "TRADEWIRE_CANDLE_PROVIDERS": '["yahoo"]',
        "TRADEWIRE_YAHOO_BASE_URL": yahoo.base_url,
        "TRADEWIRE_COLLECTOR_INTERVAL_S": "1",
        "TRADEWIRE_ANALYZER__PUBLISH_SIGNALS": "true" if publish else "false",
        # No duplicate suppression: a call sent again would be a second signal, so only the
        # analyst's own memory can keep a standing BUY from going out every cycle.
        "TRADEWIRE_DEDUPE_WINDOW_S": "0",
    }


def start_collecting(server: ServerProcess) -> None:
    admin = bearer(server.token("ops", "admin"))
    with httpx.Client(base_url=server.base_url, headers=admin, timeout=30) as api:
        added = api.post("/api/collector/ticker/add", json={"ticker": "NVDA"})
        assert added.status_code == 200, added.text
        assert api.post("/api/collector/start").json()["running"] is True


def cycles(server: ServerProcess) -> int:
    return httpx.get(f"{server.base_url}/api/collector/status", timeout=10).json()["cycles"]


def analyzer_signals(server: ServerProcess) -> list[dict]:
    answer = httpx.get(
        f"{server.base_url}/api/signals",
        params={"strategy": "decision-engine", "limit": 1000},
        headers=bearer(server.token("reader")),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["signals"]


async def test_a_new_buy_is_published_once(server_factory, yahoo: FakeProvider) -> None:
    server = server_factory(analyst_env(yahoo, publish=True))
    alice = await asyncio.to_thread(
        trader,
        server,
        "alice",
        paperTradeEnabled=True,
        subscriptions={"strategies": ["decision-engine"]},
    )
    received: list[dict] = []
    async with connect(f"{server.ws_url}/ws?token={server.token('watcher')}") as ws:

        async def read() -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "SIGNAL":
                    received.append(message["data"])

        reader = asyncio.create_task(read())
        await asyncio.to_thread(start_collecting, server)
        # The fake's bars trend up: every watchlist ticker is a BUY from the first cycle on.
        await eventually(lambda: {s["pair"] for s in received} == WATCHLIST, timeout=60)
        reader.cancel()

    for signal in received:
        assert signal["source"] == "analyzer" and signal["strategy"] == "decision-engine"
        assert signal["direction"] == "LONG" and signal["format"] == "json"
        assert signal["stopLoss"] < signal["entry"] < signal["takeProfit"]
        assert "score" in json.loads(signal["rawText"])["text"]

    stored = await asyncio.to_thread(analyzer_signals, server)
    assert {s["pair"] for s in stored} == WATCHLIST
    assert all(s["source"] == "analyzer" for s in stored)

    # Three more cycles of the same BUY calls: nothing new is sent.
    seen = await asyncio.to_thread(cycles, server)
    await eventually(lambda: cycles(server) >= seen + 3, timeout=60)
    assert len(await asyncio.to_thread(analyzer_signals, server)) == len(WATCHLIST)

    # The pipeline took it on to the paper account that follows the strategy.
    def handled() -> list[dict]:
        answer = httpx.get(f"{server.base_url}/api/paper/signals", headers=alice, timeout=10)
        return answer.json()["signals"]

    opened = await eventually(lambda: len(handled()) == len(WATCHLIST) and handled(), timeout=30)
    assert {h["symbol"] for h in opened} == WATCHLIST
    assert all(h["action"] == "opened" for h in opened)


async def test_nothing_is_published_when_off(server_factory, yahoo: FakeProvider) -> None:
    server = server_factory(analyst_env(yahoo, publish=False))
    await asyncio.to_thread(start_collecting, server)
    await eventually(lambda: cycles(server) >= 3, timeout=60)
    assert await asyncio.to_thread(analyzer_signals, server) == []
