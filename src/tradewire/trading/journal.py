"""The in-memory trade journal: for the backtester, and for tests (port: TradeJournal)."""

from __future__ import annotations

from collections.abc import Sequence

from tradewire.trading.events import TradingEvent


class MemoryTradeJournal:
    """Keeps each account's events in a list; nothing survives the process."""

    def __init__(self) -> None:
        self._events: dict[str, list[TradingEvent]] = {}

    async def append(self, account: str, events: Sequence[TradingEvent]) -> None:
        self._events.setdefault(account, []).extend(events)

    async def read(self, account: str) -> list[TradingEvent]:
        return list(self._events.get(account, ()))

    async def accounts(self) -> list[str]:
        return list(self._events)
