"""Brackets: the stop and take-profits guarding each position, kept in a trigger index.

:class:`BracketBook` is the trade manager's state. It changes only by :meth:`BracketBook.apply`
(for the manager's own events and the venue's), so replaying an account's journal rebuilds
every plan, bracket, stop level and fired target exactly; the ``*_for`` methods decide what
to record and change nothing.

A plan (:class:`~tradewire.trading.events.BracketPlanned`) waits for its entry to fill; then
the bracket is armed on the position the fill opened. Take-profits close shares of the
position by weight: the n-th of the targets still waiting closes ``its weight ÷ the weights
still waiting`` of what is open, so equal weights split the position equally however it was
reduced meanwhile, and the last target closes the rest. A stop closes everything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from tradewire.core.events import Side
from tradewire.trading.events import (
    AccountOpened,
    BracketArmed,
    BracketPlanned,
    OrderCanceled,
    OrderRejected,
    PositionClosed,
    SignalHandled,
    StopMoved,
    StopReason,
    TradingEvent,
    TriggerFired,
)
from tradewire.trading.instruments import Instrument
from tradewire.trading.model import Fill
from tradewire.trading.triggers import Cross, Hit, TriggerIndex

#: A trigger: (account, position id, take-profit index, or None for the stop).
Key = tuple[str, str, int | None]


@dataclass(slots=True)
class Bracket:
    """The exits of one open position."""

    account: str
    plan: BracketPlanned
    position_id: str
    entry: Decimal
    stop: Decimal | None
    stop_reason: StopReason
    #: Take-profits not fired yet, by index into ``plan.take_profits``.
    targets: list[int]

    @property
    def stop_cross(self) -> Cross:
        return Cross.DOWN if self.plan.side is Side.LONG else Cross.UP

    def key(self, target: int | None) -> Key:
        return (self.account, self.position_id, target)

    def exit_qty(self, target: int, open_qty: Decimal, instrument: Instrument) -> Decimal:
        """Return what take-profit ``target`` closes of ``open_qty``: its share by weight of
        the targets still waiting (the last closes all), at least the minimum size."""
        waiting = self.targets
        if waiting == [target]:
            return open_qty
        weights = self.plan.weights
        share = open_qty * weights[target] / sum(weights[i] for i in waiting)
        return min(max(instrument.round_qty(share), instrument.min_qty), open_qty)


class BracketBook:
    """Plans waiting for entries, brackets of open positions, and their trigger index."""

    def __init__(self) -> None:
        self.index: TriggerIndex[Key] = TriggerIndex()
        self.plans: dict[tuple[str, str], BracketPlanned] = {}
        self.brackets: dict[tuple[str, str], Bracket] = {}
        #: Exit orders by client order id: (account, position id, target or None).
        self.exits: dict[str, Key] = {}
        self.handled: dict[tuple[str, str], SignalHandled] = {}

    @property
    def idle(self) -> bool:
        """True while no plan, bracket or exit is being followed: a venue event then changes
        nothing here (the fast path for accounts that trade without brackets)."""
        return not (self.plans or self.brackets or self.exits)

    # --- decide -----------------------------------------------------------------------------

    def arming_for(self, account: str, fill: Fill) -> BracketPlanned | None:
        """Return the plan a fill of its entry arms, if this is that fill (the first one: later
        partial fills grow a position already guarded)."""
        plan = self.plans.get((account, fill.client_order_id))
        if plan is None or (account, fill.position_id) in self.brackets:
            return None
        return plan

    def break_even_for(self, fill: Fill, instrument: Instrument) -> Decimal | None:
        """Return the break-even stop a take-profit fill earns its bracket, if the plan asks for
        one and it is better than the stop the bracket has."""
        key = self.exits.get(fill.client_order_id)
        if key is None or key[2] is None:
            return None
        bracket = self.brackets.get(key[:2])
        if bracket is None or not bracket.plan.break_even:
            return None
        long = bracket.plan.side is Side.LONG
        level = instrument.round_price(bracket.entry, up=long)
        return level if _better(level, bracket.stop, long) else None

    def crossed(
        self, symbol: str, low: Decimal, high: Decimal
    ) -> dict[tuple[str, str], list[Hit[Key]]]:
        """Remove and return the triggers a move over ``[low, high]`` fires, by position."""
        fired: dict[tuple[str, str], list[Hit[Key]]] = defaultdict(list)
        for hit in self.index.crossed(symbol, low, high):
            fired[hit.key[:2]].append(hit)
        return fired

    def expect_exit(self, client_order_id: str, key: Key) -> None:
        """Name an exit order before it is placed, so its fill (published while it is being
        placed) is known for what it is; :class:`TriggerFired` records it once placed."""
        self.exits[client_order_id] = key

    def rearm(self, bracket: Bracket, target: int | None) -> None:
        """Put back a trigger whose exit could not be placed, so the next price retries it."""
        live = self.brackets.get((bracket.account, bracket.position_id)) is bracket
        if live and bracket.key(target) not in self.index:
            self._add(bracket, target)

    # --- evolve -----------------------------------------------------------------------------

    def apply(self, event: TradingEvent) -> None:
        """Apply a manager event, or a venue event that ends a plan or a bracket."""
        account = event.account
        match event:
            case SignalHandled():
                self.handled[(account, event.signal_id)] = event
            case BracketPlanned():
                self.plans[(account, event.entry_client_order_id)] = event
            case BracketArmed():
                self._arm(event)
            case StopMoved():
                self._move_stop(event)
            case TriggerFired():
                key = (account, event.position_id, event.target)
                self.exits[event.client_order_id] = key
                self.index.remove(key)
                bracket = self.brackets.get(key[:2])
                if bracket is not None and event.target is not None:
                    bracket.targets.remove(event.target)
            case OrderCanceled() | OrderRejected():
                self.plans.pop((account, event.order.client_order_id), None)
            case PositionClosed():
                self._end(self.brackets.pop((account, event.position.id), None))
            case AccountOpened():
                # A reset: the account's positions are gone, and their exits with them. (Plans
                # stay: the account's first order opens it after its plan was recorded.)
                for key in [k for k in self.brackets if k[0] == account]:
                    self._end(self.brackets.pop(key))

    def _end(self, bracket: Bracket | None) -> None:
        if bracket is not None:
            for target in (None, *bracket.targets):
                self.index.remove(bracket.key(target))

    def _arm(self, event: BracketArmed) -> None:
        plan = self.plans.pop((event.account, event.entry_client_order_id))
        trailed = event.stop is not None and event.stop != plan.stop
        bracket = Bracket(
            account=event.account,
            plan=plan,
            position_id=event.position_id,
            entry=event.entry_price,
            stop=event.stop,
            stop_reason=StopReason.TRAILING if trailed else StopReason.STOP_LOSS,
            targets=list(range(len(plan.take_profits))),
        )
        self.brackets[(event.account, event.position_id)] = bracket
        for target in (*bracket.targets, None):
            self._add(bracket, target)

    def _add(self, bracket: Bracket, target: int | None) -> None:
        plan = bracket.plan
        if target is not None:
            cross = Cross.UP if plan.side is Side.LONG else Cross.DOWN
            self.index.add(bracket.key(target), plan.symbol, plan.take_profits[target], cross)
        elif bracket.stop is not None:
            self.index.add(
                bracket.key(None),
                plan.symbol,
                bracket.stop,
                bracket.stop_cross,
                trail=plan.trail,
                watermark=bracket.entry if plan.trail else None,
            )

    def _move_stop(self, event: StopMoved) -> None:
        bracket = self.brackets.get((event.account, event.position_id))
        if bracket is None:
            return
        had_stop = bracket.stop is not None
        bracket.stop, bracket.stop_reason = event.stop, event.reason
        key = bracket.key(None)
        if key in self.index:
            self.index.move(key, event.stop)
        elif not had_stop:
            self._add(bracket, None)
        # else the stop has fired and its exit is being placed: it is not put back.


def initial_stop(plan: BracketPlanned, price: Decimal) -> Decimal | None:
    """Return the stop a bracket starts with: the plan's, or the trailing stop from the fill
    price when that is tighter (or the plan has none)."""
    if plan.trail is None:
        return plan.stop
    long = plan.side is Side.LONG
    trailing = plan.trail.level(price, Cross.DOWN if long else Cross.UP)
    return trailing if _better(trailing, plan.stop, long) else plan.stop


def _better(level: Decimal, stop: Decimal | None, long: bool) -> bool:
    """Whether ``level`` protects more than ``stop`` (higher for a long, lower for a short)."""
    return stop is None or (level > stop if long else level < stop)
