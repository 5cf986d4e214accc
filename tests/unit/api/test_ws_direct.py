"""Direct WebSocket writes are offered only for uvicorn's sans-I/O connections."""

from tradewire.api.ws import _AsgiTransport
from tradewire.api.ws_direct import DirectWriter


async def test_a_send_that_is_not_a_uvicorn_connection_gets_no_direct_writer():
    sent = []

    async def send(message):
        sent.append(message)

    assert DirectWriter.of(send) is None
    transport = _AsgiTransport(send)
    assert transport.send_now("hello") is False and sent == []
    await transport.send_text("hello")
    assert sent == [{"type": "websocket.send", "text": "hello"}]
