"""``WS /ws``: authenticated signal stream.

Token from ``?token=`` or ``Authorization: Bearer``; missing or invalid closes with 1008.
Client messages: ``{"action":"subscribe","strategies":[…],"symbols":[…]}`` (empty lists mean
everything), ``{"action":"unsubscribe"}``, ``{"action":"ping"}``.
Server messages: ``CONNECTED``, ``SIGNAL``, ``SUBSCRIBED``, ``HEARTBEAT``, ``PONG``, ``ERROR``.
"""

from __future__ import annotations

import contextlib

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from tradewire.api.auth import bearer_token
from tradewire.core.errors import AuthenticationError, ValidationError
from tradewire.signals.hub import Subscriber

router = APIRouter()

CLOSE_POLICY = 1008


class _StarletteTransport:
    """Adapt Starlette's WebSocket to the hub's Transport port."""

    __slots__ = ("_ws",)

    def __init__(self, ws: WebSocket) -> None:
        self._ws = ws

    async def send_text(self, data: str) -> None:
        await self._ws.send_text(data)

    async def close(self, code: int, reason: str) -> None:
        await self._ws.close(code=code, reason=reason)


@router.websocket("/ws")
async def signal_stream(websocket: WebSocket) -> None:
    container = websocket.app.state.container
    token = bearer_token(
        websocket.headers.get("authorization"), websocket.query_params.get("token")
    )
    await websocket.accept()
    try:
        principal = container.tokens.verify(token)
    except AuthenticationError as exc:
        await websocket.close(code=CLOSE_POLICY, reason=exc.message)
        return
    hub = container.hub
    sub = hub.attach(_StarletteTransport(websocket), principal.user, principal.role)
    hub.send_to(
        sub,
        {
            "type": "CONNECTED",
            "user": principal.user,
            "role": principal.role,
            "timestamp": container.clock.now_ns() // 1_000_000,
        },
    )
    try:
        while True:
            raw = await websocket.receive_text()
            _handle(hub, sub, raw)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        await hub.detach(sub)
        with contextlib.suppress(Exception):
            await websocket.close()


def _handle(hub, sub: Subscriber, raw: str) -> None:
    try:
        message = orjson.loads(raw)
        if not isinstance(message, dict):
            raise ValidationError("message must be a JSON object")
        action = message.get("action")
        if action == "subscribe":
            strategies = message.get("strategies") or []
            symbols = message.get("symbols") or []
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
