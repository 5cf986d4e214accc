"""The hub's Transport port, as a WebSocket client sees it: the same contract for the fake and for
the real transport on uvicorn, with direct writes and on the ASGI path alone.

The real transports run on an in-process uvicorn configured as the service configures it
(``server.uvicorn_config``), behind an application that accepts each connection and hands its
transport to the test; a real ``websockets`` client reads what arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Protocol

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.services import free_port
from tests.support.waiting import eventually
from tests.unit.signals.fakes import FakeTransport
from tradewire.api import ws_direct
from tradewire.api.asgi import Receive, Scope, Send
from tradewire.api.ws import _AsgiTransport
from tradewire.server import uvicorn_config
from tradewire.settings import Settings
from tradewire.signals.hub import Transport

#: Text of every length class a frame header has (7-bit, 16-bit and 64-bit lengths), and more
#: than one byte per character.
TEXTS = ["", "héllo ✓", "a" * 125, "b" * 126, "c" * 65_535, "d" * 65_536, "é" * 200_000]


class Link(Protocol):
    """One subscriber's connection: the transport the hub holds, and what its client sees."""

    transport: Transport
    #: Whether ``send_now`` can write at all here (False on the ASGI path alone).
    writes_at_once: bool

    async def messages(self, count: int) -> list[str]:
        """Return the next ``count`` messages the client reads."""
        ...

    async def close_seen(self) -> tuple[int, str, list[str]]:
        """Return the close code and reason the client got, and the messages read before it."""
        ...

    def stop_reading(self) -> None:
        """Make the client stop reading, as a stalled subscriber does."""
        ...

    def resume_reading(self) -> None: ...


class FakeLink:
    """The hand-written fake: what it records as sent is what its client reads."""

    writes_at_once = True

    def __init__(self) -> None:
        self.transport = FakeTransport()
        self._read = 0

    async def messages(self, count: int) -> list[str]:
        await eventually(lambda: len(self.transport.sent) >= self._read + count)
        self._read += count
        return self.transport.sent[self._read - count : self._read]

    async def close_seen(self) -> tuple[int, str, list[str]]:
        closed = await eventually(lambda: self.transport.closed)
        return (*closed, self.transport.sent[self._read :])

    def stop_reading(self) -> None:
        self.transport.stall()

    def resume_reading(self) -> None:
        self.transport.resume()


class UvicornLink:
    """The real transport on a uvicorn connection, and the ``websockets`` client at its far end."""

    def __init__(self, transport: _AsgiTransport, client: ClientConnection, direct: bool) -> None:
        self.transport = transport
        self.writes_at_once = direct
        self._client = client

    async def messages(self, count: int) -> list[str]:
        async with asyncio.timeout(30):
            return [await self._client.recv() for _ in range(count)]

    async def close_seen(self) -> tuple[int, str, list[str]]:
        before: list[str] = []
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(30):
                while True:
                    before.append(await self._client.recv())
        assert closed.value.rcvd is not None, "the connection ended without a close frame"
        return closed.value.rcvd.code, closed.value.rcvd.reason, before

    def stop_reading(self) -> None:
        self._client.transport.pause_reading()

    def resume_reading(self) -> None:
        self._client.transport.resume_reading()


class Accepting:
    """An ASGI application that accepts every WebSocket, hands the test a transport on it, and
    reads until the client leaves (as ``ws.serve`` does)."""

    def __init__(self, direct: bool) -> None:
        self.direct = direct
        self.transports: asyncio.Queue[_AsgiTransport] = asyncio.Queue()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            for step in ("startup", "shutdown"):
                await receive()
                await send({"type": f"lifespan.{step}.complete"})
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        if self.direct:
            self.transports.put_nowait(_AsgiTransport(send))
        else:

            async def through_middleware(message: dict) -> None:
                # A send that is not uvicorn's own, as under a wrapping middleware: no direct
                # writer is offered for it, so everything goes through ASGI.
                await send(message)

            self.transports.put_nowait(_AsgiTransport(through_middleware))
        while (await receive())["type"] != "websocket.disconnect":
            pass


@contextlib.asynccontextmanager
async def served(direct: bool) -> AsyncIterator[UvicornLink]:
    """A uvicorn server with one client connected, as :class:`UvicornLink`."""
    app = Accepting(direct)
    settings = Settings(_env_file=None, port=free_port())
    server = uvicorn.Server(uvicorn_config(app, settings))
    serving = asyncio.create_task(server.serve())
    # A small receive buffer, so that a client that stops reading soon holds the server back.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        await eventually(lambda: server.started or serving.done())
        assert not serving.done(), "the server did not start"
        sock.connect(("127.0.0.1", settings.port))
        async with connect(f"ws://127.0.0.1:{settings.port}/", sock=sock) as client:
            async with asyncio.timeout(10):
                transport = await app.transports.get()
            yield UvicornLink(transport, client, direct)
    finally:
        sock.close()
        server.should_exit = True
        await serving


@pytest.fixture(params=["fake", "uvicorn-direct", "uvicorn-asgi"])
async def link(request: pytest.FixtureRequest, monkeypatch) -> AsyncIterator[Link]:
    if request.param == "fake":
        yield FakeLink()
        return
    # Check uvicorn's protocol afresh, as a new process does (the earlier verdict is put back).
    monkeypatch.setattr(ws_direct, "_usable", None)
    async with served(direct=request.param == "uvicorn-direct") as real:
        yield real


async def test_text_sent_arrives_intact_and_in_order(link: Link):
    for text in TEXTS:
        await link.transport.send_text(text)
    assert await link.messages(len(TEXTS)) == TEXTS


async def test_send_now_and_send_text_interleave_in_call_order(link: Link):
    delivered, at_once = [], []
    for i in range(12):
        message = f"message {i}"
        if i % 3:
            await link.transport.send_text(message)
            delivered.append(message)
        elif link.transport.send_now(message):
            delivered.append(message)
            at_once.append(message)
    assert await link.messages(len(delivered)) == delivered
    # An idle, open connection takes a message at once wherever direct writes exist at all.
    assert bool(at_once) is link.writes_at_once


async def test_send_now_writes_a_whole_message_or_nothing(link: Link):
    # A client that stops reading fills the socket's buffers until the server's transport asks
    # for a pause: from then on send_now must refuse, writing nothing, not a part of a frame.
    link.stop_reading()
    written, refused = [], 0
    for i in range(2_000):
        message = f"{i:06d}" + "x" * 100_000
        if link.transport.send_now(message):
            written.append(message)
        else:
            refused += 1
            break
    assert refused, "send_now never refused a client that stopped reading"
    link.resume_reading()
    await link.transport.send_text("after")
    assert await link.messages(len(written) + 1) == [*written, "after"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [(1000, ""), (1008, "token expired"), (1013, "slow consumer: 256 messages not read")],
)
async def test_close_reaches_the_client_with_its_code_and_reason(link: Link, code, reason):
    await link.transport.send_text("last")
    await link.transport.close(code, reason)
    assert await link.close_seen() == (code, reason, ["last"])


async def test_after_close_nothing_more_is_sent(link: Link):
    await link.transport.close(1001, "going away")
    assert link.transport.send_now("too late") is False
    # Refused by the server's send: as misuse, or as a disconnect if the client has already
    # answered the close.
    with pytest.raises((RuntimeError, OSError)):
        await link.transport.send_text("too late")
    assert await link.close_seen() == (1001, "going away", [])
