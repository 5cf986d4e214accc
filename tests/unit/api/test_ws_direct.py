"""Direct WebSocket writes: offered only for uvicorn's sans-I/O connections, framed as RFC 6455
says (checked against the websockets library's own framing)."""

import pytest
from websockets.frames import Frame, Opcode

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
