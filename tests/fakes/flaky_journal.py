"""A TradeJournal (port: tradewire.trading.ports) whose appends fail on demand, as a database
that is briefly unreachable would: nothing of a failed append is kept."""

from __future__ import annotations

from collections.abc import Sequence

from tradewire.core.errors import RetryableError
from tradewire.trading.events import TradingEvent
from tradewire.trading.journal import MemoryTradeJournal


class FlakyJournal(MemoryTradeJournal):
    """The in-memory journal; ``fail`` counts the next appends to refuse (-1: every one)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = 0
        self.refused = 0

    async def append(self, account: str, events: Sequence[TradingEvent]) -> None:
        if self.fail:
            self.fail -= 1 if self.fail > 0 else 0
            self.refused += 1
            raise RetryableError("the database did not answer", retry_after=0.01)
        await super().append(account, events)
