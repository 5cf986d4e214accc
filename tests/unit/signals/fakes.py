"""Hand-written fakes of the signals package's ports."""

from __future__ import annotations

import asyncio

from tests.fakes.signal_store import MemoryStore as MemoryStore


class FakeTransport:
    """Records what the hub sends; can block forever to imitate a client that stopped reading
    (its socket is then never writable, so direct writes are refused too). Once closed it sends
    nothing more, as a real connection does (``tests/contract/ws_transport``)."""

    def __init__(self, blocked: bool = False) -> None:
        self.sent: list[str] = []
        self.direct = 0
        self.closed: tuple[int, str] | None = None
        self._unblocked = asyncio.Event()
        if not blocked:
            self._unblocked.set()

    async def send_text(self, data: str) -> None:
        await self._unblocked.wait()
        if self.closed is not None:
            raise RuntimeError("send after close")  # the server's own send refuses it too
        self.sent.append(data)

    def send_now(self, data: str) -> bool:
        if self.closed is not None or not self._unblocked.is_set():
            return False
        self.sent.append(data)
        self.direct += 1
        return True

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def stall(self) -> None:
        """Imitate a client that stops reading from now on."""
        self._unblocked.clear()

    def resume(self) -> None:
        """Imitate the client reading again: what waited is sent."""
        self._unblocked.set()
