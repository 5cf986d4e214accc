"""The owner's trading messages on ``WS /ws``: what happened to a user's paper account goes to
that user's connections and nobody else's.

``{"type": "position_opened" | "order_filled" | "position_closed" | "account" |
"signal_handled", "timestamp": ms, "data": {…}}``; money as strings (:mod:`.paper_wire`).
"""

from __future__ import annotations

from tradewire.api import paper_wire
from tradewire.api.ws_sessions import UserConnections
from tradewire.signals.hub import SignalHub
from tradewire.trading.events import (
    AccountOpened,
    AccountUpdated,
    OrderFilled,
    PositionClosed,
    PositionOpened,
    SignalHandled,
    TradingEvent,
)


def message(event: TradingEvent) -> list[dict[str, object]]:
    """The messages ``event`` makes for its owner (a reset: one ``account`` per currency)."""
    match event:
        case PositionOpened():
            kind, data = "position_opened", [paper_wire.position(event.position)]
        case PositionClosed():
            kind, data = "position_closed", [paper_wire.position(event.position)]
        case OrderFilled():
            kind = "order_filled"
            data = [{"order": paper_wire.order(event.order), "fill": paper_wire.fill(event.fill)}]
        case AccountUpdated():
            kind, data = "account", [paper_wire.balance(event.balance)]
        case AccountOpened():
            kind, data = "account", [paper_wire.balance(b) for b in event.balances]
        case SignalHandled():
            kind, data = "signal_handled", [paper_wire.signal_handled(event)]
        case _:
            return []
    timestamp = event.ts_event // 1_000_000
    return [{"type": kind, "timestamp": timestamp, "data": d} for d in data]


class TradingMessages:
    """Bus handler: send each trading event's messages to its account's user only."""

    KINDS: tuple[type[TradingEvent], ...] = (
        PositionOpened,
        PositionClosed,
        OrderFilled,
        AccountUpdated,
        AccountOpened,
        SignalHandled,
    )

    def __init__(self, hub: SignalHub, connections: UserConnections) -> None:
        self._hub = hub
        self._connections = connections

    def on_event(self, event: TradingEvent) -> None:
        # A paper account is its user's: the account name is the user name.
        subscribers = self._connections.of(event.account)
        if not subscribers:
            return
        for payload in message(event):
            for sub in subscribers:
                self._hub.send_to(sub, payload)
