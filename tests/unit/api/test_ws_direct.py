"""Direct WebSocket writes: offered only for uvicorn's sans-I/O connections, framed as RFC 6455
says (checked against the websockets library's own framing)."""

import asyncio
from types import SimpleNamespace

import pytest
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

from tradewire.api.ws import _AsgiTransport
from tradewire.api.ws_direct import DirectWriter, text_frame


async def test_a_send_that_is_not_a_uvicorn_connection_gets_no_direct_writer():
    sent = []

    async def send(message):
        sent.append(message)

    assert DirectWriter.of(send) is None
    transport = _AsgiTransport(send)
    assert transport.send_now("hello") is False and sent == []
    await transport.send_text("hello")
    assert sent == [{"type": "websocket.send", "text": "hello"}]


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70_000])
def test_a_shared_text_frame_is_byte_for_byte_what_websockets_would_send(length):
    payload = ("é" * length).encode()[:length]
    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        self.written.append(data)


def _uvicorn_like(conn) -> SimpleNamespace:
    """The attributes of uvicorn's sans-I/O protocol that a direct write reads."""
    writable = asyncio.Event()
    writable.set()
    return SimpleNamespace(
        handshake_complete=True,
        close_sent=False,
        disconnected=False,
        initial_response=None,
        writable=writable,
        transport=_Transport(),
        conn=conn,
    )


def _open_server_connection() -> ServerProtocol:
    conn = ServerProtocol()
    conn.state = State.OPEN
    return conn


def test_bytes_the_protocol_still_holds_go_before_the_message():
    conn = _open_server_connection()
    conn.send_pong(b"beat")  # queued by the protocol, not yet written
    protocol = _uvicorn_like(conn)
    assert DirectWriter(protocol).write_text("héllo") is True
    pong = Frame(Opcode.PONG, b"beat").serialize(mask=False)
    text = Frame(Opcode.TEXT, "héllo".encode()).serialize(mask=False)
    assert protocol.transport.written == [pong + text]
    assert conn.data_to_send() == []


def test_a_connection_that_is_closing_is_not_written_to():
    conn = _open_server_connection()
    conn.send_close(1001, "bye")
    conn.data_to_send()
    protocol = _uvicorn_like(conn)
    assert DirectWriter(protocol).write_text("late") is False
    assert protocol.transport.written == []
