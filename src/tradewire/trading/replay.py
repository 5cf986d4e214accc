"""One paper account rebuilt from its journal's events, to read it (the command line does, with
or without a server running: the journal is the truth)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tradewire.core.clock import LiveClock
from tradewire.trading.brackets import Bracket
from tradewire.trading.config import TradingSettings
from tradewire.trading.events import TradingEvent
from tradewire.trading.instruments import InstrumentBook
from tradewire.trading.journal import MemoryTradeJournal
from tradewire.trading.manager import TradeManager
from tradewire.trading.venues.paper import PaperVenue


@dataclass(frozen=True, slots=True)
class ReplayedAccount:
    """The account's venue state and the brackets guarding its open positions."""

    venue: PaperVenue
    manager: TradeManager

    def bracket(self, account: str, position_id: str) -> Bracket | None:
        return self.manager.brackets.brackets.get((account, position_id))


async def _nowhere(_event: TradingEvent) -> None:
    """Replaying publishes nothing: it only reads."""


async def replay(
    settings: TradingSettings, account: str, events: Sequence[TradingEvent]
) -> ReplayedAccount:
    """Rebuild ``account`` from ``events`` (its journal, in order) in memory."""
    journal = MemoryTradeJournal()
    await journal.append(account, events)
    instruments, clock = InstrumentBook(settings.instruments), LiveClock()
    venue = PaperVenue(settings.paper, instruments, journal, _nowhere, clock)
    manager = TradeManager(venue, instruments, journal, _nowhere, clock)
    await venue.restore()
    await manager.restore()
    return ReplayedAccount(venue, manager)
