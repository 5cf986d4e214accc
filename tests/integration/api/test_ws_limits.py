"""A client that floods its WebSocket is closed — 1009 for a message over the size limit, 1008 for
more messages than its budget — after a bounded number of its messages, while the other
subscribers receive every signal; real server, real clients."""

import asyncio
import itertools
import json

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from tests.integration.api.test_ws import next_of

SECRET = "ws-limits-secret"
MAX_BYTES = 1024
BURST = 5
SUBSCRIBERS = 3
#: The flooder's messages: enough that a server without limits visibly handles all of them.
FLOOD = 60
#: A subscribe message of about 64 KB, valid but for its size (as in the reported flood).
LARGE = json.dumps({"action": "subscribe", "symbols": ["BTCUSDT"] * 5_800})
SMALL = json.dumps({"action": "subscribe", "symbols": ["BTCUSDT"]})
#: Entry prices, distinct across the module's tests: no signal is suppressed as a duplicate.
PRICES = itertools.count(45_000, 10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.support.server import ServerProcess

    server = ServerProcess(
        tmp_path_factory.mktemp("ws-limits"),
        {
            "TRADEWIRE_WEBHOOK_SECRET": SECRET,
            "TRADEWIRE_WS_MAX_MESSAGE_BYTES": str(MAX_BYTES),
            # A refill far slower than any run of these tests: a client's budget is its burst,
            # however fast or slow the machine.
            "TRADEWIRE_WS_MESSAGES_PER_S": "0.001",
            "TRADEWIRE_WS_MESSAGE_BURST": str(BURST),
        },
    ).start()
    yield server
    server.stop()


async def flood(ws: ClientConnection, messages: list[str]) -> tuple[int, Close]:
    """Send ``messages`` one after another while reading the replies; return how many were
    handled (each handled message is answered) and the server's close frame."""
    replies = 0

    async def send_all() -> None:
        try:
            for message in messages:
                await ws.send(message)
        except ConnectionClosed:
            pass  # closed for what it sent: the rest is never sent

    sender = asyncio.create_task(send_all())
    try:
        while replies < len(messages):
            if json.loads(await ws.recv())["type"] in ("SUBSCRIBED", "PONG", "ERROR"):
                replies += 1
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, f"dropped without a close frame after {replies} replies"
        return replies, closed.rcvd
    finally:
        await sender
    raise AssertionError(f"all {replies} messages handled, and the connection still open")


async def post_signals(server, prices: list[int]) -> None:
    async with httpx.AsyncClient() as client:
        for price in prices:
            resp = await client.post(
                f"{server.base_url}/webhook/tradingview/{SECRET}",
                content=f"BTC/USDT LONG @ {price} TP: {price + 1000} SL: {price - 500}",
            )
            assert resp.status_code == 200, resp.text


async def entries(ws: ClientConnection, count: int) -> list[float]:
    return [(await next_of(ws, "SIGNAL"))["data"]["entry"] for _ in range(count)]


@pytest.mark.parametrize(
    ("message", "code", "reason", "handled"),
    [
        (LARGE, 1009, f"limit of {MAX_BYTES} bytes", 0),
        (SMALL, 1008, "too many messages", BURST),
    ],
    ids=["large-messages", "many-small-messages"],
)
async def test_a_flooding_client_is_closed_and_the_others_get_every_signal(
    server, message, code, reason, handled
):
    url = f"{server.ws_url}/ws?token={server.token()}"
    others = [await connect(url) for _ in range(SUBSCRIBERS)]
    try:
        for ws in others:
            await next_of(ws, "CONNECTED")
        prices = [next(PRICES) for _ in range(20)]
        async with connect(url) as flooder:
            await next_of(flooder, "CONNECTED")
            (replies, close), _ = await asyncio.gather(
                flood(flooder, [message] * FLOOD), post_signals(server, prices)
            )
        assert (close.code, replies) == (code, handled)
        assert reason in close.reason
        received = await asyncio.gather(*(entries(ws, len(prices)) for ws in others))
        assert received == [prices] * SUBSCRIBERS
    finally:
        await asyncio.gather(*(ws.close() for ws in others))


async def test_the_size_limit_counts_bytes_not_characters(server):
    async with connect(f"{server.ws_url}/ws?token={server.token()}") as ws:
        await next_of(ws, "CONNECTED")
        ping = '{"action": "ping", "pad": ""}'
        await ws.send(ping.replace('""', '"' + "x" * (MAX_BYTES - len(ping)) + '"'))
        await next_of(ws, "PONG")  # exactly at the limit: handled
        # Fewer characters than the limit, more bytes: closed.
        replies, close = await flood(
            ws, [json.dumps({"pad": "é" * (MAX_BYTES // 2)}, ensure_ascii=False)]
        )
    assert (close.code, replies) == (1009, 0)
    assert f"limit of {MAX_BYTES} bytes" in close.reason
