"""A uvicorn whose WebSocket protocol lacks something a direct write reads: the server says so
once, and every subscriber still gets every signal, through ASGI.

The server runs in this process, so that its uvicorn can be changed under it: the protocol's
code keeps one attribute under another name, as a uvicorn release that renamed it would.
"""

import asyncio
import gc
import json
import sys
from collections.abc import Iterator
from types import CodeType, FunctionType

import httpx
import pytest
from structlog.testing import capture_logs
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.asyncio.client import ClientConnection, connect

from tests.support.services import free_port
from tradewire.api import ws_direct
from tradewire.api.auth import TokenService
from tradewire.server import serve
from tradewire.settings import Settings

SECRET = "fallback-webhook-secret"
JWT_SECRET = "fallback-jwt-secret-" + "x" * 32
SUBSCRIBERS = 6
PRICES = [45_000 + 25 * i for i in range(8)]  # distinct, so no alert is a duplicate


def _renamed(code: CodeType, old: str, new: str) -> CodeType:
    consts = tuple(_renamed(c, old, new) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(
        co_names=tuple(new if name == old else name for name in code.co_names), co_consts=consts
    )


def keep_under_another_name(monkeypatch: pytest.MonkeyPatch, cls: type, old: str) -> None:
    """Make every method of ``cls`` keep attribute ``old`` under another name."""
    new = f"_renamed_{old}"
    for name, value in list(vars(cls).items()):
        if isinstance(value, FunctionType):
            function = FunctionType(
                _renamed(value.__code__, old, new),
                value.__globals__,
                value.__name__,
                value.__defaults__,
                value.__closure__,
            )
            function.__kwdefaults__ = value.__kwdefaults__
            function.__qualname__ = value.__qualname__
            monkeypatch.setattr(cls, name, function)


@pytest.fixture
def interpreter() -> Iterator[None]:
    """Put back what serving tunes for the whole process (switch interval, collector)."""
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    yield
    sys.setswitchinterval(interval)
    gc.set_threshold(*thresholds)
    gc.unfreeze()


async def next_of(ws: ClientConnection, kind: str) -> dict:
    async with asyncio.timeout(10):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def written_at_once(http: httpx.AsyncClient) -> float:
    metrics = (await http.get("/metrics")).text
    line = next(x for x in metrics.splitlines() if x.startswith("tradewire_ws_written_at_once "))
    return float(line.split()[1])


@pytest.mark.parametrize("missing", ["close_sent", "writable"])
async def test_every_subscriber_gets_every_signal_through_asgi_after_one_warning(
    tmp_path, monkeypatch, interpreter, missing
):
    keep_under_another_name(monkeypatch, WebSocketsSansIOProtocol, missing)
    monkeypatch.setattr(ws_direct, "_usable", None)  # as in a process that has not checked yet
    settings = Settings(
        _env_file=None,
        port=free_port(),
        data_dir=tmp_path,
        webhook_secret=SECRET,
        jwt_secret=JWT_SECRET,
    )
    sent: list[str] = []
    received: list[list[str]] = []
    direct_writes: list[float] = []

    async def subscribe_and_alert(_container: object, base_url: str) -> None:
        token = TokenService(JWT_SECRET).issue("trader")
        url = base_url.replace("http", "ws", 1) + f"/ws?token={token}"
        clients = [await connect(url) for _ in range(SUBSCRIBERS)]
        try:
            for ws in clients:
                await next_of(ws, "CONNECTED")
            async with httpx.AsyncClient(base_url=base_url) as http:
                for price in PRICES:
                    resp = await http.post(
                        f"/webhook/tradingview/{SECRET}",
                        content=f"BTC/USDT LONG @ {price} TP: {price + 1000} SL: {price - 500}",
                    )
                    assert resp.status_code == 200, resp.text
                    sent.append(resp.json()["signal"]["id"])

                async def signals(ws: ClientConnection) -> list[str]:
                    return [(await next_of(ws, "SIGNAL"))["data"]["id"] for _ in sent]

                received.extend(await asyncio.gather(*(signals(ws) for ws in clients)))
                direct_writes.append(await written_at_once(http))
        finally:
            await asyncio.gather(*(ws.close() for ws in clients))

    with capture_logs() as logs:
        await serve(settings, companions=(subscribe_and_alert,))

    assert len(sent) == len(set(sent)) == len(PRICES)
    assert received == [sent] * SUBSCRIBERS
    assert direct_writes == [0]
    (warning,) = [e for e in logs if e["event"].startswith("direct WebSocket writes are off")]
    assert warning["log_level"] == "warning"
    assert warning["missing"] == [missing]
