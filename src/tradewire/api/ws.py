"""``WS /ws``: authenticated signal stream.

Token from ``?token=`` or ``Authorization: Bearer``; missing or invalid closes with 1008, and so
does disabling the user later. A stored user's saved subscriptions apply from the start (the
``CONNECTED`` message lists them); a subscribe message replaces them for this connection.
Client messages: ``{"action":"subscribe","strategies":[…],"symbols":[…]}`` (empty lists mean
everything), ``{"action":"unsubscribe"}``, ``{"action":"ping"}``.
Server messages: ``CONNECTED``, ``SIGNAL``, ``SUBSCRIBED``, ``HEARTBEAT``, ``PONG``, ``ERROR``.

Each client is held to :class:`~tradewire.api.services.WsLimits`, so that one client's messages
cannot take the event loop from everyone else's signals: a message over the size limit closes
the connection with 1009, one beyond its budget (a token bucket) with 1008, after the answers to
its earlier messages. Nothing it sent from that message on is handled.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

import orjson
import structlog

from tradewire.api.asgi import Message, Receive, Scope, Send, header, query_param
from tradewire.api.auth import bearer_token
from tradewire.api.ws_direct import DirectWriter
from tradewire.core.errors import AuthenticationError, RetryableError, ValidationError
from tradewire.signals.hub import SignalHub, Subscriber

if TYPE_CHECKING:
    from tradewire.api.services import ApiServices, WsLimits

log = structlog.get_logger(__name__)

PATH = "/ws"
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN = 1013


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

    def stop_reading(self) -> None:
        """Stop reading from the client, where the connection allows it (direct writes)."""
        if self._direct is not None:
            self._direct.stop_reading()


class _MessageGuard:
    """Hold one client to its limits: each message's size, and a token bucket of messages."""

    __slots__ = ("_last", "_limits", "_tokens")

    def __init__(self, limits: WsLimits) -> None:
        self._limits = limits
        self._tokens = float(limits.message_burst)
        self._last = time.monotonic()

    def violation(self, message: Message) -> tuple[int, str] | None:
        """Return the close code and reason ``message`` earns, or None if it may be handled."""
        limits = self._limits
        size = _size(message)
        if size > limits.max_message_bytes:
            return (
                CLOSE_TOO_BIG,
                f"message of {size} bytes exceeds the limit of {limits.max_message_bytes} bytes",
            )
        now = time.monotonic()
        self._tokens = min(
            limits.message_burst, self._tokens + (now - self._last) * limits.messages_per_s
        )
        self._last = now
        if self._tokens < 1:
            return (
                CLOSE_POLICY,
                f"too many messages: at most {limits.message_burst} at once, "
                f"then {limits.messages_per_s:g} per second",
            )
        self._tokens -= 1
        return None


def _size(message: Message) -> int:
    """The message's size on the wire: its UTF-8 bytes."""
    text = message.get("text")
    if text is None:
        return len(message.get("bytes") or b"")
    # An ASCII string's length is its size: no need to encode the usual message again.
    return len(text) if text.isascii() else len(text.encode())


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
        saved = await api.users.saved_settings(principal.user)
        # Disabled while its settings were read: the token check above came too early.
        if api.users.is_disabled(principal.user):
            raise AuthenticationError("user disabled")
    except AuthenticationError as exc:
        await transport.close(CLOSE_POLICY, exc.message)
        return
    except RetryableError as exc:
        await transport.close(CLOSE_TRY_AGAIN, exc.message)
        return
    hub = api.hub
    sub = hub.attach(transport, principal.user, principal.role)
    # No await since attaching: no signal can reach it before its saved filters are set.
    if saved is not None:
        hub.set_filters(sub, saved.subscriptions.strategies, saved.subscriptions.symbols)
    api.connections.add(sub)
    hub.send_to(
        sub,
        {
            "type": "CONNECTED",
            "user": principal.user,
            "role": principal.role,
            "strategies": sorted(sub.strategies),
            "symbols": sorted(sub.symbols),
            "timestamp": api.clock.now_ns() // 1_000_000,
        },
    )
    guard = _MessageGuard(api.limits.ws)
    try:
        while (message := await receive())["type"] == "websocket.receive":
            if sub.closing:
                break  # closed by the hub (a slow consumer): what the client sent is moot
            violation = guard.violation(message)
            if violation is not None:
                code, reason = violation
                log.warning("closing a WebSocket client", user=sub.user, code=code, reason=reason)
                # Answers to the messages before this one still go out, then the close.
                await hub.close(sub, code, reason, flush=True)
                transport.stop_reading()  # a flood it keeps sending costs the others nothing
                break
            _handle(hub, sub, message)
    except OSError:
        pass  # the connection broke under us: same as a disconnect
    finally:
        api.connections.remove(sub)
        await hub.detach(sub)
        if not sub.closing:
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
