"""The price event every feed publishes and trading reacts to."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradewire.core.events import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceTick(Event):
    """A traded or quoted price of one symbol, from any feed; ``ts_event`` is when it was.

    ``symbol`` is the feed's own instrument name as tradewire normalises it: a pair
    (``BTC/USDT``), a futures contract (``NQZ5``) or a stock ticker (``SPY``). ``source`` says
    which feed: ``tape``, ``quote``, ``api``, ``replay`` or ``ccxt:<exchange>``.
    """

    symbol: str
    price: Decimal
    source: str
