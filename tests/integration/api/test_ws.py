"""WebSocket distribution with real clients against a real server."""

import asyncio
import json
import socket

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.waiting import eventually

SECRET = "ws-test-webhook-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.support.server import ServerProcess

    server = ServerProcess(
        tmp_path_factory.mktemp("ws"),
        {
            "TRADEWIRE_WEBHOOK_SECRET": SECRET,
            "TRADEWIRE_WS_HEARTBEAT_S": "0.5",
            "TRADEWIRE_WS_QUEUE_SIZE": "32",
            "TRADEWIRE_DEDUPE_WINDOW_S": "0",
        },
    ).start()
    yield server
    server.stop()


async def send_alert(server, body: str) -> dict:
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{server.base_url}/webhook/tradingview/{SECRET}", content=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def next_of(ws, kind: str, timeout: float = 10) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


@pytest.mark.parametrize("token", [None, "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
async def test_missing_or_invalid_token_closes_with_1008(server, token):
    url = f"{server.ws_url}/ws" + (f"?token={token}" if token else "")
    async with connect(url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd.code == 1008
    assert closed.value.rcvd.reason


async def test_signal_message_shape_with_bearer_header(server):
    headers = {"Authorization": f"Bearer {server.token('bob')}"}
    async with connect(f"{server.ws_url}/ws", additional_headers=headers) as ws:
        hello = await next_of(ws, "CONNECTED")
        assert hello["user"] == "bob"
        sent = await send_alert(server, "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500")
        message = await next_of(ws, "SIGNAL")
    assert isinstance(message["timestamp"], int)
    data = message["data"]
    assert data["id"] == sent["signal"]["id"]
    assert {
        k: data[k]
        for k in ("pair", "direction", "entry", "takeProfit", "stopLoss", "format", "source")
    } == {
        "pair": "BTC/USDT",
        "direction": "LONG",
        "entry": 45000,
        "takeProfit": 46000,
        "stopLoss": 44500,
        "format": "standard",
        "source": "webhook",
    }
    assert data["rawText"].startswith("BTC/USDT LONG")
    assert data["received_at"].endswith("Z") and data["latency"] >= 0


def written_at_once(server) -> float:
    metrics = httpx.get(f"{server.base_url}/metrics").text
    line = next(x for x in metrics.splitlines() if x.startswith("tradewire_ws_written_at_once "))
    return float(line.split()[1])


async def test_an_idle_subscriber_is_written_straight_to_its_socket(server):
    async with connect(f"{server.ws_url}/ws?token={server.token()}") as ws:
        await next_of(ws, "CONNECTED")
        await asyncio.sleep(0.2)  # let the welcome leave the queue: the subscriber is idle
        before = written_at_once(server)
        await send_alert(server, "ARB/USDT LONG @ 1.25")
        assert (await next_of(ws, "SIGNAL"))["data"]["pair"] == "ARB/USDT"
    assert written_at_once(server) >= before + 1


async def test_idle_subscribers_share_one_frame_per_broadcast(server):
    # One asks for compression, which the server declines: both read the same shared frame.
    url = f"{server.ws_url}/ws?token={server.token()}"
    async with connect(url, compression=None) as plain, connect(url) as deflated:
        for ws in (plain, deflated):
            await next_of(ws, "CONNECTED")
        await asyncio.sleep(0.2)  # both idle: nothing of theirs is queued
        before = written_at_once(server)
        await send_alert(server, "OP/USDT SHORT @ 1.75")
        received = [await next_of(ws, "SIGNAL") for ws in (plain, deflated)]
        # The same frame again, and a long one (16-bit length) after it.
        await send_alert(server, "OP/USDT SHORT @ 1.7 strategy=" + "x" * 190)
        long = [await next_of(ws, "SIGNAL") for ws in (plain, deflated)]
    assert received[0] == received[1] and received[0]["data"]["pair"] == "OP/USDT"
    assert long[0] == long[1] and long[0]["data"]["strategy"] == "x" * 190
    assert written_at_once(server) >= before + 4


async def test_subscriptions_filter_per_connection(server):
    url = f"{server.ws_url}/ws?token={server.token()}"
    async with connect(url) as all_ws, connect(url) as eth_ws, connect(url) as strat_ws:
        await eth_ws.send(json.dumps({"action": "subscribe", "symbols": ["ETHUSDT"]}))
        assert (await next_of(eth_ws, "SUBSCRIBED"))["symbols"] == ["ETH/USDT"]
        await strat_ws.send(json.dumps({"action": "subscribe", "strategies": ["scalp"]}))
        await next_of(strat_ws, "SUBSCRIBED")
        await send_alert(server, "BTC/USDT BUY")
        await send_alert(
            server,
            json.dumps(
                {"ticker": "ETHUSDT", "action": "sell", "strategy": "scalp", "passphrase": SECRET}
            ),
        )
        await send_alert(server, "SOL/USDT SELL")
        got_all = [(await next_of(all_ws, "SIGNAL"))["data"]["pair"] for _ in range(3)]
        assert got_all == ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
        assert (await next_of(eth_ws, "SIGNAL"))["data"]["pair"] == "ETH/USDT"
        assert (await next_of(strat_ws, "SIGNAL"))["data"]["strategy"] == "scalp"
        await send_alert(server, "ETH/USDT BUY")
        assert (await next_of(eth_ws, "SIGNAL"))["data"]["direction"] == "BUY"


async def test_bad_client_messages_get_errors_not_disconnects(server):
    async with connect(f"{server.ws_url}/ws?token={server.token()}") as ws:
        for raw in (
            "not json",
            "[1]",
            '{"action": "dance"}',
            '{"action": "subscribe", "symbols": "BTC"}',
            '{"action": "subscribe", "symbols": ["bad symbol!!"]}',
            b'{"action": "ping"}',
        ):
            await ws.send(raw)
            assert (await next_of(ws, "ERROR"))["reason"]
        await ws.send('{"action": "ping"}')
        await next_of(ws, "PONG")
        await next_of(ws, "HEARTBEAT")


async def test_subscriber_that_stops_reading_is_dropped_and_others_keep_up(server):
    token = server.token()
    # A small kernel receive buffer and no reading: the server's queue for it fills up.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    stalled = await connect(f"{server.ws_url}/ws?token={token}", sock=sock, max_queue=1)
    stalled.transport.pause_reading()
    # Large alerts (the raw text travels with each signal) fill the socket buffers quickly.
    note = "n" * 30_000
    received = 0

    async def read_all(ws) -> None:
        nonlocal received
        async for raw in ws:
            received += json.loads(raw)["type"] == "SIGNAL"

    async def subscribers() -> int:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{server.base_url}/health")).json()["subscribers"]

    try:
        async with connect(f"{server.ws_url}/ws?token={token}") as healthy:
            reader = asyncio.create_task(read_all(healthy))
            before, sent = await subscribers(), 0
            async with httpx.AsyncClient(timeout=30) as client:
                while sent < 3000 and await subscribers() == before:
                    await asyncio.gather(
                        *(
                            client.post(
                                f"{server.base_url}/webhook/tradingview/{SECRET}",
                                content=json.dumps(
                                    {
                                        "ticker": "BTCUSDT",
                                        "action": "buy",
                                        "price": 45000 + sent + i,
                                        "note": note,
                                    }
                                ),
                            )
                            for i in range(25)
                        )
                    )
                    sent += 25
            assert await subscribers() == before - 1, "stalled subscriber not dropped"
            await eventually(lambda: received == sent, timeout=60)
            reader.cancel()
        stalled.transport.resume_reading()
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(60):
                while True:
                    await stalled.recv()
        assert closed.value.rcvd.code == 1013  # "try again later": a slow consumer
    finally:
        await stalled.close()
        sock.close()


async def test_many_subscribers_each_receive_every_signal(server):
    token = server.token()
    clients = [await connect(f"{server.ws_url}/ws?token={token}") for _ in range(50)]
    try:
        for ws in clients:
            await next_of(ws, "CONNECTED")
        ids = [
            (await send_alert(server, f"ETH/USDT SHORT @ {2400 + i}"))["signal"]["id"]
            for i in range(5)
        ]

        async def collect(ws):
            return [(await next_of(ws, "SIGNAL"))["data"]["id"] for _ in ids]

        results = await asyncio.gather(*(collect(ws) for ws in clients))
        assert all(r == ids for r in results)
    finally:
        await asyncio.gather(*(ws.close() for ws in clients))
    await eventually(lambda: httpx.get(f"{server.base_url}/health").json()["subscribers"] == 0)
