"""Users and the signal stream on a real server: disabling a user closes its connections and
refuses its tokens at once, and a subscriber's saved subscriptions apply when it connects."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.users import add_user, bearer, sign_in, user_command

SECRET = "users-ws-webhook-secret"


@pytest.fixture
def server(server_factory):
    return server_factory({"TRADEWIRE_WEBHOOK_SECRET": SECRET})


async def next_of(ws, kind: str, timeout: float = 10) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def closed_with(ws, timeout: float = 10) -> tuple[int, str]:
    """Read until the server closes the connection; its close code and reason."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def send_alert(server, body: str) -> None:
    async with httpx.AsyncClient() as client:
        sent = await client.post(f"{server.base_url}/webhook/tradingview/{SECRET}", content=body)
    assert sent.status_code == 200, sent.text


async def test_disabling_closes_the_users_connections_and_refuses_its_tokens_at_once(server):
    add_user(server, "alice")
    signed_in = sign_in(server, "alice").json()["token"]
    created = server.token("alice")  # from `tradewire token create`
    ws_url = f"{server.ws_url}/ws?token="
    async with (
        connect(ws_url + signed_in) as first,
        connect(ws_url + created) as second,
        connect(ws_url + server.token("bob")) as bystander,
    ):
        for ws in (first, second, bystander):
            await next_of(ws, "CONNECTED")

        output = await asyncio.to_thread(
            user_command, server, "disable", "alice", "--server", server.base_url
        )
        assert "disabled alice in the server" in output

        # At once: the command has returned, so no request from now on may pass.
        for token in (signed_in, created):
            refused = httpx.get(f"{server.base_url}/api/me", headers=bearer(token))
            assert refused.status_code == 401 and refused.json()["error"] == "user disabled"
        assert await closed_with(first) == (1008, "user disabled")
        assert await closed_with(second) == (1008, "user disabled")
        await bystander.send(json.dumps({"action": "ping"}))
        await next_of(bystander, "PONG")

    async with connect(ws_url + signed_in) as refused:
        assert await closed_with(refused) == (1008, "user disabled")
    assert sign_in(server, "alice").status_code == 401

    await asyncio.to_thread(user_command, server, "enable", "alice", "--server", server.base_url)
    assert httpx.get(f"{server.base_url}/api/me", headers=bearer(signed_in)).status_code == 200


async def test_saved_subscriptions_apply_when_a_subscriber_connects(server):
    add_user(server, "alice")
    token = sign_in(server, "alice").json()["token"]
    saved = httpx.put(
        f"{server.base_url}/api/me/settings",
        json={"subscriptions": {"symbols": ["ETHUSDT"]}},
        headers=bearer(token),
    )
    assert saved.status_code == 200, saved.text
    async with connect(f"{server.ws_url}/ws?token={token}") as ws:
        hello = await next_of(ws, "CONNECTED")
        assert (hello["strategies"], hello["symbols"]) == ([], ["ETH/USDT"])
        await send_alert(server, "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500")
        await send_alert(server, "ETH/USDT LONG @ 2500 TP: 2600 SL: 2450")
        assert (await next_of(ws, "SIGNAL"))["data"]["pair"] == "ETH/USDT"

        # A subscribe message replaces them for this connection only.
        await ws.send(json.dumps({"action": "subscribe", "symbols": ["SOLUSDT"]}))
        assert (await next_of(ws, "SUBSCRIBED"))["symbols"] == ["SOL/USDT"]
        await send_alert(server, "ETH/USDT SHORT @ 2400 TP: 2300 SL: 2450")
        await send_alert(server, "SOL/USDT LONG @ 150 TP: 160 SL: 145")
        assert (await next_of(ws, "SIGNAL"))["data"]["pair"] == "SOL/USDT"

    async with connect(f"{server.ws_url}/ws?token={token}") as again:
        assert (await next_of(again, "CONNECTED"))["symbols"] == ["ETH/USDT"]


async def test_a_token_for_a_name_not_in_the_store_connects_as_before(server):
    async with connect(f"{server.ws_url}/ws?token={server.token('never-added')}") as ws:
        hello = await next_of(ws, "CONNECTED")
        assert (hello["user"], hello["strategies"], hello["symbols"]) == ("never-added", [], [])
        await send_alert(server, "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500")
        assert (await next_of(ws, "SIGNAL"))["data"]["pair"] == "BTC/USDT"
