"""Direct WebSocket writes: offered only for uvicorn's sans-I/O connections that have all a write
reads (else one warning and the ASGI path for every connection), framed as RFC 6455 says
(checked against the websockets library's own framing)."""

import asyncio
from types import SimpleNamespace

import pytest
import uvicorn
from structlog.testing import capture_logs
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from tradewire.api import ws_direct
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


class _Socket:
    """The asyncio transport under one connection: keeps what the server writes to it."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.closing = False

    def get_extra_info(self, name: str, default=None):
        return default

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class _Connection:
    """One accepted uvicorn sans-I/O WebSocket connection, and the client's side of it, which
    reads what the server wrote."""

    def __init__(
        self, protocol: WebSocketsSansIOProtocol, send, socket: _Socket, client: ClientProtocol
    ) -> None:
        self.protocol, self.send = protocol, send
        self._socket, self._client = socket, client
        self._read = 0

    def received(self) -> list[str]:
        """The text messages the client has read since the last call."""
        self._client.receive_data(bytes(self._socket.written[self._read :]))
        self._read = len(self._socket.written)
        return [
            event.data.decode()
            for event in self._client.events_received()
            if isinstance(event, Frame) and event.opcode is Opcode.TEXT
        ]


class _Server:
    """Makes accepted uvicorn connections, as the server does for each new client."""

    def __init__(self) -> None:
        self._sends: asyncio.Queue = asyncio.Queue()
        self._config = Config(
            self._app,
            interface="asgi3",
            ws="websockets-sansio",
            proxy_headers=False,
            log_config=None,
        )
        self._config.load()
        self._state = ServerState()
        self._connections: list[_Connection] = []

    async def _app(self, scope, receive, send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        self._sends.put_nowait(send)
        while (await receive())["type"] != "websocket.disconnect":
            pass

    async def accept(self) -> _Connection:
        """Take a new client's handshake and let the application accept it."""
        socket = _Socket()
        protocol = WebSocketsSansIOProtocol(
            self._config, self._state, {}, _loop=asyncio.get_running_loop()
        )
        protocol.connection_made(socket)
        client = ClientProtocol(parse_uri("ws://127.0.0.1/ws"))
        client.send_request(client.connect())
        protocol.data_received(b"".join(client.data_to_send()))
        async with asyncio.timeout(10):  # the application failed if it never accepts
            send = await self._sends.get()
        connection = _Connection(protocol, send, socket, client)
        connection.received()  # the handshake's response
        self._connections.append(connection)
        return connection

    async def close(self) -> None:
        for connection in self._connections:
            connection.protocol.connection_lost(None)
        await asyncio.gather(*list(self._state.tasks))


@pytest.fixture
async def server(monkeypatch):
    """A process that has not yet checked uvicorn's protocol (its verdict is put back after)."""
    monkeypatch.setattr(ws_direct, "_usable", None)
    server = _Server()
    yield server
    await server.close()


#: What a direct write reads of uvicorn's protocol.
READS = [
    "handshake_complete",
    "close_sent",
    "disconnected",
    "initial_response",
    "writable",
    "transport",
    "conn",
]


async def test_a_uvicorn_connection_is_written_to_directly_without_a_warning(server):
    connection = await server.accept()
    with capture_logs() as logs:
        transport = _AsgiTransport(connection.send)
        assert transport.send_now("straight") is True
    assert connection.received() == ["straight"]
    assert logs == []


@pytest.mark.parametrize("missing", READS)
async def test_a_protocol_without_what_a_write_reads_is_sent_to_through_asgi_with_one_warning(
    server, monkeypatch, missing
):
    first, *later = [await server.accept() for _ in range(20)]
    with capture_logs() as logs:
        with monkeypatch.context() as patch:
            patch.delattr(first.protocol, missing)
            transports = [_AsgiTransport(first.send)]
        transports += [_AsgiTransport(c.send) for c in later]
        refused = [t.send_now(f"now {i}") for i in range(5) for t in transports]
        for transport in transports:
            await transport.send_text("queued")
    assert not any(refused)
    assert all(c.received() == ["queued"] for c in (first, *later))
    assert [DirectWriter.of(c.send) for c in later] == [None] * len(later)
    (warning,) = logs
    assert warning["log_level"] == "warning"
    assert warning["missing"] == [missing]
    assert warning["uvicorn"] == uvicorn.__version__


async def test_a_value_without_what_a_write_uses_of_it_is_named_too(server, monkeypatch):
    connection = await server.accept()

    class ConnWithoutDataToSend:
        state = State.OPEN

    with capture_logs() as logs, monkeypatch.context() as patch:
        patch.setattr(connection.protocol, "conn", ConnWithoutDataToSend())
        assert DirectWriter.of(connection.send) is None
    assert [e["missing"] for e in logs] == [["conn.data_to_send"]]
    assert DirectWriter.of(connection.send) is None  # the verdict stands for the process
