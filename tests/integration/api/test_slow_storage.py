"""Slow storage: the broadcast does not wait for it, and TradingView gets a retryable answer."""

import asyncio
import json
import sqlite3

import httpx
from websockets.asyncio.client import connect

from tests.support.server import ServerProcess

SECRET = "slow-storage-webhook-secret"


async def test_locked_database_delays_the_answer_not_the_broadcast(tmp_path):
    server = ServerProcess(
        tmp_path / "srv", {"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_WEBHOOK_TIMEOUT_S": "1"}
    ).start()
    blocker = sqlite3.connect(tmp_path / "srv" / "tradewire.db", isolation_level=None)
    try:
        async with connect(f"{server.ws_url}/ws?token={server.token()}") as ws:
            assert json.loads(await ws.recv())["type"] == "CONNECTED"
            blocker.execute("BEGIN EXCLUSIVE")  # every write now waits
            async with httpx.AsyncClient(timeout=10) as client:
                url = f"{server.base_url}/webhook/tradingview/{SECRET}"
                post = asyncio.create_task(client.post(url, content="BNB/USDT LONG @ 600"))
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert message["type"] == "SIGNAL" and message["data"]["pair"] == "BNB/USDT"
                first = await post
                assert first.status_code == 503 and first.headers["retry-after"] == "1"
                blocker.execute("ROLLBACK")  # storage recovers
                retry = await client.post(url, content="BNB/USDT LONG @ 600")
                assert retry.json()["status"] == "duplicate"
                assert retry.json()["duplicate_of"] == message["data"]["id"]
            listed = httpx.get(
                f"{server.base_url}/api/signals",
                headers={"authorization": f"Bearer {server.token()}"},
            ).json()
            assert [s["id"] for s in listed["signals"]] == [message["data"]["id"]]
            # the subscriber got it exactly once
            await asyncio.sleep(0.2)
            extra = []
            while True:
                try:
                    extra.append(json.loads(await asyncio.wait_for(ws.recv(), 0.2)))
                except TimeoutError:
                    break
            assert not [m for m in extra if m["type"] == "SIGNAL"]
    finally:
        blocker.close()
        server.stop()
