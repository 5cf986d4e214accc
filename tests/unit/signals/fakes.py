"""Hand-written fakes of the signals package's ports."""

from __future__ import annotations

import asyncio

from tests.fakes.signal_store import MemoryStore as MemoryStore


class FakeTransport:
    """Records what the hub sends; can block forever to imitate a client that stopped reading
    (its socket is then never writable, so direct writes are refused too)."""

    def __init__(self, blocked: bool = False) -> None:
        self.sent: list[str] = []
        self.direct = 0
        self.closed: tuple[int, str] | None = None
        self._unblocked = asyncio.Event()
        if not blocked:
            self._unblocked.set()

    async def send_text(self, data: str) -> None:
        await self._unblocked.wait()
        self.sent.append(data)

    def send_now(self, data: str) -> bool:
        if not self._unblocked.is_set():
            return False
        self.sent.append(data)
        self.direct += 1
        return True

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)
