"""HTTP read deadlines: a request whose headers or body do not arrive in time is answered 408 and
its connection closed, so a slow or stalled client (slow-loris) holds nothing for long.

uvicorn closes idle keep-alive connections itself, but waits without limit for a request that has
begun to arrive, and for the first byte of a new connection. This is uvicorn's httptools protocol
(the one ``uvicorn[standard]`` runs) with a timer per request: armed when the connection opens
or the next request's first byte arrives, re-armed for the body once the headers are in, and
disarmed when the request is complete. Handling the request and writing the answer (a long
export, say) are not limited; a WebSocket upgrade leaves the timers once its headers are in.
"""

from __future__ import annotations

import asyncio

import structlog
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = structlog.get_logger(__name__)


def _timeout_answer(waited_for: str) -> bytes:
    reason = f"{waited_for} did not arrive in time".encode()
    head = (
        b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"connection: close\r\ncontent-length: %d\r\n\r\n" % len(reason)
    )
    return head + reason


def with_read_deadlines(header_s: float, body_s: float) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, giving each request ``header_s`` seconds for its headers
    (counted from its first byte, or from the connection's opening) and ``body_s`` for its body."""

    class DeadlineProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm(header_s, "the request headers")

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._deadline is None:  # the next request of a keep-alive connection
                self._arm(header_s, "the request headers")

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()
            if not (self.parser.should_upgrade() and self._should_upgrade()):
                self._arm(body_s, "the request body")

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def _arm(self, seconds: float, waited_for: str) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expired, waited_for)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self, waited_for: str) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            if self.cycle is None or not self.cycle.response_started:
                self.transport.write(_timeout_answer(waited_for))
            log.info("slow client disconnected", client=self.client, waited_for=waited_for)
            self.transport.close()

    return DeadlineProtocol
