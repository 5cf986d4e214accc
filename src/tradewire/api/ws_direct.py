"""Write a WebSocket message straight to the socket, without an ASGI ``send`` and its task.

ASGI's ``send`` is a coroutine, so a broadcast through it needs a task per subscriber and a turn
of the event loop before the first byte leaves. The server runs uvicorn's sans-I/O websockets
protocol (``server.uvicorn_config``); when a connection's socket is writable, a text frame can
be handed to it synchronously, exactly as that protocol's own ``send`` does. Anything else — a
connection not yet accepted, closing, or applying back-pressure, or a server without that
protocol — answers False, and the caller falls back to the ASGI path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState


class DirectWriter:
    """Synchronous text-frame writes to one uvicorn sans-I/O WebSocket connection."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, send: Callable[..., Any]) -> DirectWriter | None:
        """The writer behind an ASGI ``send``, or None if it is not a connection we can write to."""
        protocol = getattr(send, "__self__", None)
        return cls(protocol) if isinstance(protocol, WebSocketsSansIOProtocol) else None

    def write_text(self, data: str) -> bool:
        """Write one text frame now if the connection is open and writable; say whether it did."""
        protocol = self._protocol
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or protocol.disconnected
            or protocol.initial_response is not None
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
        ):
            return False
        try:
            protocol.conn.send_text(data.encode())
        except InvalidState:
            return False
        protocol.transport.write(b"".join(protocol.conn.data_to_send()))
        return True
