"""``WS /ws``: authenticated signal stream.

Token from ``?token=`` or ``Authorization: Bearer``; missing or invalid closes with 1008.
Client messages: ``{"action":"subscribe","strategies":[…],"symbols":[…]}`` (empty lists mean
everything), ``{"action":"unsubscribe"}``, ``{"action":"ping"}``.
Server messages: ``CONNECTED``, ``SIGNAL``, ``SUBSCRIBED``, ``HEARTBEAT``, ``PONG``, ``ERROR``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import orjson

from tradewire.api.asgi import Receive, Scope, Send, header, query_param
from tradewire.api.auth import bearer_token
from tradewire.api.ws_direct import DirectWriter
from tradewire.core.errors import AuthenticationError, ValidationError
from tradewire.signals.hub import SignalHub, Subscriber

if TYPE_CHECKING:
    from tradewire.api.services import ApiServices

PATH = "/ws"
CLOSE_POLICY = 1008


class _AsgiTransport:
    """The hub's Transport port on the server's ASGI ``send``."""

    __slots__ = ("_direct", "_send")

    def __init__(self, send: Send) -> None:
        self._send = send
        self._direct = DirectWriter.of(send)

    async def send_text(self, data: str) -> None:
        await self._send({"type": "websocket.send", "text": data})

    def send_now(self, data: str) -> bool:
        return self._direct is not None and self._direct.write_text(data)

    async def close(self, code: int, reason: str) -> None:
        await self._send({"type": "websocket.close", "code": code, "reason": reason})


async def serve(scope: Scope, receive: Receive, send: Send, api: ApiServices) -> None:
    """Run one subscriber's connection until it closes."""
    if (await receive())["type"] != "websocket.connect":
        return
    token = bearer_token(header(scope, b"authorization"), query_param(scope, "token"))
    # Accept first, so that a refused token gets a close code (1008) and its reason rather
    # than a bare HTTP 403 most clients report only as a failed handshake.
    await send({"type": "websocket.accept"})
    transport = _AsgiTransport(send)
    try:
        principal = api.tokens.verify(token)
    except AuthenticationError as exc:
        await transport.close(CLOSE_POLICY, exc.message)
        return
    hub = api.hub
    sub = hub.attach(transport, principal.user, principal.role)
    hub.send_to(
        sub,
        {
            "type": "CONNECTED",
            "user": principal.user,
            "role": principal.role,
            "timestamp": api.clock.now_ns() // 1_000_000,
        },
    )
    try:
        while (message := await receive())["type"] == "websocket.receive":
            _handle(hub, sub, message)
    except OSError:
        pass  # the connection broke under us: same as a disconnect
    finally:
        await hub.detach(sub)
        with contextlib.suppress(Exception):
            await transport.close(1000, "")


def _handle(hub: SignalHub, sub: Subscriber, message: dict) -> None:
    try:
        raw = message.get("text")
        if raw is None:
            raise ValidationError("send JSON text messages, not binary")
        request = orjson.loads(raw)
        if not isinstance(request, dict):
            raise ValidationError("message must be a JSON object")
        action = request.get("action")
        if action == "subscribe":
            strategies = request.get("strategies") or []
            symbols = request.get("symbols") or []
            if not isinstance(strategies, list) or not isinstance(symbols, list):
                raise ValidationError("strategies and symbols must be lists")
            hub.set_filters(sub, strategies, symbols)
            hub.send_to(
                sub,
                {
                    "type": "SUBSCRIBED",
                    "strategies": sorted(sub.strategies),
                    "symbols": sorted(sub.symbols),
                },
            )
        elif action == "unsubscribe":
            hub.set_filters(sub, [], [])
            hub.send_to(sub, {"type": "SUBSCRIBED", "strategies": [], "symbols": []})
        elif action == "ping":
            hub.send_to(sub, {"type": "PONG"})
        else:
            raise ValidationError(f"unknown action {action!r}: use subscribe, unsubscribe or ping")
    except orjson.JSONDecodeError:
        hub.send_to(sub, {"type": "ERROR", "reason": "message is not valid JSON"})
    except ValidationError as exc:
        hub.send_to(sub, {"type": "ERROR", "reason": exc.message})
