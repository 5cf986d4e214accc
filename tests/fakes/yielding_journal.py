"""A TradeJournal (port: tradewire.trading.ports) that yields to the event loop a random number
of times on every call, as a database would, so concurrent tasks interleave differently per
seed."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

from tradewire.trading.events import TradingEvent
from tradewire.trading.journal import MemoryTradeJournal


class YieldingJournal(MemoryTradeJournal):
    """The in-memory journal, with 0–``most`` loop turns before each append and read."""

    def __init__(self, seed: int, most: int = 3) -> None:
        super().__init__()
        self._random = random.Random(seed)
        self._most = most

    async def _yield(self) -> None:
        for _ in range(self._random.randint(0, self._most)):
            await asyncio.sleep(0)

    async def append(self, account: str, events: Sequence[TradingEvent]) -> None:
        await self._yield()
        await super().append(account, events)

    async def read(self, account: str) -> list[TradingEvent]:
        await self._yield()
        return await super().read(account)
