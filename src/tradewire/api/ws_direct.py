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

What a direct write reads of uvicorn's protocol is private to uvicorn, so ``pyproject.toml`` pins
uvicorn to the releases it was tested with, and the first connection is checked for all of it.
If anything is missing, one warning names it and from then on no connection gets a direct
writer: every subscriber is sent to through ASGI.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

import structlog
import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

log = structlog.get_logger(__name__)

_FIN_TEXT = 0x81

#: Every attribute of uvicorn's protocol that :class:`DirectWriter` reads, with what it uses of
#: each attribute's value.
_READS: dict[str, tuple[str, ...]] = {
    "handshake_complete": (),
    "close_sent": (),
    "disconnected": (),
    "initial_response": (),
    "writable": ("is_set",),
    "transport": ("is_closing", "write", "pause_reading"),
    "conn": ("state", "data_to_send"),
}

#: Whether this process may write directly: None until the first connection has been checked.
_usable: bool | None = None


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


def _missing_reads(protocol: object) -> list[str]:
    """Name what a direct write reads that ``protocol`` lacks (``"close_sent"``,
    ``"conn.data_to_send"``); an empty list means a direct write can run on it."""
    missing: list[str] = []
    for name, uses in _READS.items():
        try:
            value = getattr(protocol, name)
        except AttributeError:
            missing.append(name)
            continue
        missing += [f"{name}.{use}" for use in uses if not hasattr(value, use)]
    return missing


def _fits(protocol: WebSocketsSansIOProtocol) -> bool:
    """Check the first connection for what a direct write reads; give the same answer after."""
    # The check looks at a live connection, not at the class: uvicorn sets every one of these
    # attributes on the instance (in ``__init__``, and ``transport`` in ``connection_made``), so
    # the class has none of them, and reading ``__init__``'s bytecode instead would depend on
    # CPython's instruction set and on uvicorn assigning each name literally there. A connection
    # the application is serving has them all, wherever uvicorn sets them, if it has them at
    # all. What cannot be checked is that they still mean what they meant: the version pin is
    # for that.
    global _usable
    if _usable is None:
        missing = _missing_reads(protocol)
        _usable = not missing
        if missing:
            log.warning(
                "direct WebSocket writes are off: uvicorn's protocol lacks what they read, "
                "so every subscriber is sent to through ASGI",
                missing=missing,
                uvicorn=uvicorn.__version__,
            )
    return _usable


class DirectWriter:
    """Synchronous text-frame writes to one uvicorn sans-I/O WebSocket connection."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, send: Callable[..., Any]) -> DirectWriter | None:
        """Return the writer behind a served connection's ASGI ``send``, or None if it is not a
        connection we can write to (the first call checks that uvicorn's protocol fits)."""
        protocol = getattr(send, "__self__", None)
        if not isinstance(protocol, WebSocketsSansIOProtocol) or not _fits(protocol):
            return None
        return cls(protocol)

    def stop_reading(self) -> None:
        """Read nothing more from this client: after closing an abusive one, uvicorn would
        otherwise keep reading (and discarding) what it floods in until the close times out."""
        self._protocol.transport.pause_reading()

    def write_text(self, data: str) -> bool:
        """Write one text frame now if the connection is open and writable; say whether it did."""
        # What this reads of the protocol is listed in _READS, which the first connection is
        # checked for: keep the two in step.
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
