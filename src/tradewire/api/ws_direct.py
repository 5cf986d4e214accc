"""Write a WebSocket message straight to the socket, without an ASGI ``send`` and its task.

ASGI's ``send`` is a coroutine, so a broadcast through it needs a task per subscriber and a turn
of the event loop before the first byte leaves. The server runs uvicorn's sans-I/O websockets
protocol (``server.uvicorn_config``); when a connection's socket is writable, a text frame can
be handed to it synchronously, exactly as that protocol's own ``send`` does. Anything else — a
connection not yet accepted, closing, or applying back-pressure, or a server without that
protocol — answers False, and the caller falls back to the ASGI path.

A broadcast hands every subscriber the same string, so its frame is built once and shared. The
frame is never compressed, which is valid on any connection (RFC 7692 lets a sender leave a
message uncompressed; the server does not offer compression anyway).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

_FIN_TEXT = 0x81


def text_frame(payload: bytes) -> bytes:
    """A final, unmasked text frame (as a server sends it) carrying ``payload``."""
    length = len(payload)
    if length < 126:
        return struct.pack("!BB", _FIN_TEXT, length) + payload
    if length < 65536:
        return struct.pack("!BBH", _FIN_TEXT, 126, length) + payload
    return struct.pack("!BBQ", _FIN_TEXT, 127, length) + payload


class _SharedFrame:
    """The frame of the last message written, kept while the same string is being broadcast."""

    __slots__ = ("frame", "text")

    def __init__(self) -> None:
        self.text: str | None = None
        self.frame = b""

    def of(self, text: str) -> bytes:
        if text is not self.text:
            self.text, self.frame = text, text_frame(text.encode())
        return self.frame


_shared = _SharedFrame()


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
        conn = protocol.conn
        if conn.state is not State.OPEN:
            return False
        # Whatever the protocol still holds (a pong, say) goes first.
        pending = conn.data_to_send()
        frame = _shared.of(data)
        protocol.transport.write(b"".join([*pending, frame]) if pending else frame)
        return True
