"""Round trips from a venue's record: each closed position with its entry and exit fills."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np

from tradewire.backtest.bars import Bars
from tradewire.backtest.model import TradeRecord
from tradewire.backtest.strategy import Intent
from tradewire.trading.model import Fill, Order, Position
from tradewire.trading.money import ZERO


def round_trips(
    closed: Sequence[Position],
    fills: Sequence[Fill],
    orders: Sequence[Order],
    bars: Mapping[str, Bars],
    intents: Mapping[str, Intent],
) -> list[TradeRecord]:
    """Return a record per closed position, by entry time.

    ``intents`` names the intent behind each entry by its client order id (its score and
    targets); a trade reached its target when an exit order was a take-profit.
    """
    by_position: defaultdict[str, list[Fill]] = defaultdict(list)
    for fill in fills:
        by_position[fill.position_id].append(fill)
    reasons = {order.client_order_id: order.reason for order in orders}
    trades = [
        _record(position, by_position[position.id], reasons, bars[position.symbol], intents)
        for position in closed
    ]
    return sorted(trades, key=lambda t: (t.entry_ts, t.symbol))


def _record(
    position: Position,
    fills: list[Fill],
    reasons: Mapping[str, str],
    bars: Bars,
    intents: Mapping[str, Intent],
) -> TradeRecord:
    entries = [f for f in fills if f.side is position.side]
    exits = [f for f in fills if f.side is not position.side]
    intent = next(
        (intents[f.client_order_id] for f in entries if f.client_order_id in intents), None
    )
    exit_reasons = [reasons.get(f.client_order_id, "") for f in exits]
    reached = None
    if intent is not None and intent.targets:
        reached = any(reason.startswith("take-profit") for reason in exit_reasons)
    return TradeRecord(
        symbol=position.symbol,
        side=position.side,
        qty=sum((f.qty for f in entries), ZERO),
        entry_bar=_bar_of(bars, entries[0].ts_event),
        entry_ts=entries[0].ts_event,
        entry_price=_average(entries),
        exit_bar=_bar_of(bars, exits[-1].ts_event),
        exit_ts=exits[-1].ts_event,
        exit_price=_average(exits),
        pnl=position.realised_pnl - position.fees,
        fees=position.fees,
        exit_reason=exit_reasons[-1] if exit_reasons else "",
        score=intent.score if intent is not None else None,
        reached_target=reached,
    )


def _average(fills: list[Fill]) -> Decimal:
    qty = sum((f.qty for f in fills), ZERO)
    return sum((f.qty * f.price for f in fills), ZERO) / qty


def _bar_of(bars: Bars, ts: int) -> int:
    return int(np.searchsorted(bars.ts, ts, side="right")) - 1
