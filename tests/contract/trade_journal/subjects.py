"""A journal under contract, how to open it again as a restarted process would, and the small
events the tests append."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tradewire.trading.events import StopMoved, StopReason
from tradewire.trading.ports import TradeJournal


@dataclass(frozen=True, slots=True)
class Subject:
    """A journal, and ``reopen``: a new journal object over the same storage."""

    journal: TradeJournal
    reopen: Callable[[], TradeJournal]


def moved(account: str, n: int, stop: str = "45000.50") -> StopMoved:
    """A small event whose ``position_id`` and ``ts_event`` say which it is."""
    return StopMoved(
        ts_event=n,
        ts_init=n,
        account=account,
        venue="paper",
        position_id=f"p{n}",
        stop=Decimal(stop),
        reason=StopReason.TRAILING,
    )
