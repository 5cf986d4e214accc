"""A journal under contract, and how to open it again as a restarted process would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tradewire.trading.ports import TradeJournal


@dataclass(frozen=True, slots=True)
class Subject:
    """A journal, and ``reopen``: a new journal object over the same storage."""

    journal: TradeJournal
    reopen: Callable[[], TradeJournal]
