"""The trade manager: signals into orders on one venue, prices into exits.

For a signal it decides what to do (:mod:`.decisions`), sizes an entry (:mod:`.sizing`),
records a bracket plan, and places the orders, each with a client order id derived from the
account, the signal and the step, so a signal handled twice (a retry, a restart in between)
can never place twice; a signal handled once is answered from the journal after that.

For a price it takes the move since the symbol's last price, fires the take-profits and stops
it crossed, lets trailing stops follow, and places the exits as reduce-only market orders. A
move that crosses a position's stop and a take-profit is resolved conservatively: the stop
closes everything and the exit says the take-profit was crossed too.

Venue events arrive through :meth:`TradeManager.on_event`: an entry's fill arms its bracket, a
take-profit's fill may move the stop to break-even, a closed position ends its bracket.

Work on one account is serialised (signals and exits); different accounts run concurrently.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from tradewire.core.clock import Clock
from tradewire.core.errors import RejectError
from tradewire.core.events import Side, Signal
from tradewire.core.ids import stable_id
from tradewire.core.prices import PriceTick
from tradewire.trading.account import AccountSettings
from tradewire.trading.brackets import Bracket, BracketBook, Key, initial_stop
from tradewire.trading.decisions import Decision, decide
from tradewire.trading.events import (
    VENUE_EVENTS,
    BracketArmed,
    BracketPlanned,
    OrderFilled,
    SignalAction,
    SignalHandled,
    StopMoved,
    StopReason,
    TradingEvent,
    TriggerFired,
)
from tradewire.trading.instruments import Instrument, InstrumentBook
from tradewire.trading.model import Fill, OrderRequest, OrderType, Position
from tradewire.trading.money import ZERO, fmt, price_or_none
from tradewire.trading.ports import ExecutionVenue, OrderRefused, Publish, TradeJournal
from tradewire.trading.sizing import check_stop, entry_and_stop, size_position
from tradewire.trading.triggers import Hit

E = TypeVar("E", bound=TradingEvent)


class TradeManager:
    """Manage positions from signals and prices for the accounts of one venue."""

    def __init__(
        self,
        venue: ExecutionVenue,
        instruments: InstrumentBook,
        journal: TradeJournal,
        publish: Publish,
        clock: Clock,
    ) -> None:
        self._venue = venue
        self._instruments = instruments
        self._journal = journal
        self._publish = publish
        self._clock = clock
        self._book = BracketBook()
        self._prices: dict[str, Decimal] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def brackets(self) -> BracketBook:
        """The plans, brackets and triggers (read them; change them only through events)."""
        return self._book

    async def restore(self) -> None:
        """Rebuild plans, brackets and pending triggers from the journal (once, at start, after
        the venue's own restore), then arm any bracket whose entry filled but was not recorded
        as armed (the process died between the venue's record and the manager's)."""
        for account in await self._journal.accounts():
            for event in await self._journal.read(account):
                self._book.apply(event)
        for account, client_id in list(self._book.plans):
            fills = await self._venue.fills(account)
            fill = next((f for f in fills if f.client_order_id == client_id), None)
            open_ids = {p.id for p in await self._venue.positions(account)}
            if fill is not None and fill.position_id in open_ids:
                await self._record(account, self._on_fill(account, fill))

    # --- signals ----------------------------------------------------------------------------

    async def on_signal(
        self, account: str, settings: AccountSettings, signal: Signal
    ) -> SignalHandled:
        """Act on ``signal`` for ``account`` and return what was done, and why.

        A signal that cannot be traded is answered ``rejected`` with the reason; a signal seen
        before is answered with its first outcome. :class:`RetryableError` (the venue is
        unreachable) propagates: nothing is recorded, and retrying is safe.
        """
        async with self._locks[account]:
            earlier = self._book.handled.get((account, signal.id))
            if earlier is not None:
                return earlier
            try:
                action, reason, orders = await self._act(account, settings, signal)
            except RejectError as exc:
                action, reason, orders = SignalAction.REJECTED, exc.message, ()
            handled = self._event(
                SignalHandled,
                account,
                signal_id=signal.id,
                symbol=signal.pair,
                action=action,
                reason=reason,
                client_order_ids=orders,
            )
            await self._record(account, [handled])
            return handled

    async def _act(
        self, account: str, settings: AccountSettings, signal: Signal
    ) -> tuple[SignalAction, str, tuple[str, ...]]:
        instrument = self._instruments.get(signal.pair)
        position = next(
            (p for p in await self._venue.positions(account) if p.symbol == instrument.symbol),
            None,
        )
        pending = [
            o
            for o in await self._venue.orders(account, open_only=True)
            if o.symbol == instrument.symbol and not o.reduce_only
        ]
        decision = decide(signal, position, pending, settings, instrument)
        for order in decision.cancel:
            await self._venue.cancel(account, order.id)
        placed: list[str] = []
        if decision.close_qty is not None and position is not None:
            placed.append(await self._close(account, signal, position, decision))
        if decision.open_side is None:
            return decision.action, decision.reason, tuple(placed)
        try:
            client_id, how = await self._open(
                account, settings, signal, instrument, decision.open_side
            )
        except RejectError as exc:
            if not placed:
                raise
            side = decision.open_side
            return SignalAction.CLOSED, f"{decision.reason}: the {side} was refused: {exc}", ()
        return decision.action, f"{decision.reason}: {how}", (*placed, client_id)

    async def _close(
        self, account: str, signal: Signal, position: Position, decision: Decision
    ) -> str:
        assert decision.close_qty is not None  # the caller checked
        client_id = stable_id(account, signal.id, "exit")
        request = OrderRequest(
            client_order_id=client_id,
            symbol=position.symbol,
            side=position.side.opposite,
            qty=decision.close_qty,
            reduce_only=True,
            reason=f"signal {signal.id}: {signal.intent} the {position.side}",
        )
        await self._venue.place(account, request)
        return client_id

    async def _open(
        self,
        account: str,
        settings: AccountSettings,
        signal: Signal,
        instrument: Instrument,
        side: Side,
    ) -> tuple[str, str]:
        """Size, plan and place the entry; return its client order id and a description."""
        symbol, long = instrument.symbol, side is Side.LONG
        price = self._prices.get(symbol)
        given = price_or_none(signal.entry)
        entry, stop = entry_and_stop(
            symbol=symbol,
            side=side,
            entry=given,
            price=price,
            stop=price_or_none(signal.stop_loss),
            default_stop_percent=settings.default_stop_percent,
            instrument=instrument,
        )
        check_stop(side, entry, stop)
        if price is not None and (price <= stop if long else price >= stop):
            raise RejectError(f"the price {fmt(price)} is already through the stop {fmt(stop)}")
        levels = [p for p in map(price_or_none, signal.take_profit) if p is not None]
        targets = sorted(levels, key=lambda level: abs(level - entry))
        for target in targets:
            if target <= entry if long else target >= entry:
                where = "above" if long else "below"
                raise RejectError(
                    f"the take-profit {fmt(target)} is not {where} the entry {fmt(entry)}"
                )
        currency = instrument.quote_currency
        balances = await self._venue.balances(account)
        equity = next((b.equity for b in balances if b.currency == currency), ZERO)
        size = size_position(
            side=side,
            entry=entry,
            stop=stop,
            equity=equity,
            instrument=instrument,
            risk_percent=settings.risk_percent,
            max_notional_percent=settings.max_notional_percent,
        )
        client_id = stable_id(account, signal.id, "entry")
        trailing = settings.trailing_stop
        plan = self._event(
            BracketPlanned,
            account,
            signal_id=signal.id,
            entry_client_order_id=client_id,
            symbol=symbol,
            side=side,
            stop=instrument.round_level(stop, entry),
            take_profits=tuple(instrument.round_level(t, entry) for t in targets),
            weights=settings.weights(len(targets)),
            break_even=settings.break_even_after_first_take_profit,
            trail=trailing.for_instrument(instrument) if trailing else None,
        )
        await self._record(account, [plan])
        limit = instrument.round_limit(given, side) if given is not None else None
        request = OrderRequest(
            client_order_id=client_id,
            symbol=symbol,
            side=side,
            qty=size.qty,
            type=OrderType.MARKET if limit is None else OrderType.LIMIT,
            price=limit,
            reason=f"signal {signal.id}: open a {side}",
        )
        await self._venue.place(account, request)
        how = "at market" if limit is None else f"limit {fmt(limit)}"
        capped = f" (notional capped at {settings.max_notional_percent}% of equity)"
        return client_id, (
            f"{fmt(size.qty)} {instrument.unit} {how}, risking {fmt(round(size.risk, 2))} "
            f"{currency} to the stop {fmt(plan.stop)}{capped if size.capped else ''}"
        )

    # --- prices -----------------------------------------------------------------------------

    async def on_price(self, tick: PriceTick) -> None:
        """Take a price: the move runs from the symbol's last price to this one, so a trigger
        set while the price was already past it fires too."""
        last = self._prices.get(tick.symbol, tick.price)
        await self.on_move(tick, min(last, tick.price), max(last, tick.price))

    async def on_move(self, tick: PriceTick, low: Decimal, high: Decimal) -> None:
        """Take a move over ``[low, high]`` that ended at ``tick`` (a bar, in a backtest).

        The venue marks (and fills) at ``tick`` first; then the triggers the move crossed fire,
        both sides of one position's bracket at once possibly (the stop is taken first), and
        trailing stops follow the price. A bracket armed by a fill at this very price is judged
        from the next move on.
        """
        symbol, price = tick.symbol, tick.price
        self._prices[symbol] = price
        fired = self._book.crossed(symbol, low, high)
        # Longs' stops trail the high, shorts' the low (after the move fired what it crossed).
        extremes = (high,) if high == low else (high, low)
        ratcheted = [m for extreme in extremes for m in self._book.index.ratchet(symbol, extreme)]
        trailed: dict[str, list[TradingEvent]] = defaultdict(list)
        for (account, position_id, _), level in ratcheted:
            trailed[account].append(
                self._event(
                    StopMoved,
                    account,
                    position_id=position_id,
                    stop=level,
                    reason=StopReason.TRAILING,
                )
            )
        for account, moves in trailed.items():
            await self._record(account, moves)
        await self._venue.on_price(tick)
        for (account, position_id), hits in fired.items():
            async with self._locks[account]:
                await self._fire(account, position_id, hits, tick)

    async def _fire(
        self, account: str, position_id: str, hits: list[Hit[Key]], tick: PriceTick
    ) -> None:
        bracket = self._book.brackets.get((account, position_id))
        if bracket is None:
            return  # closed while this price waited for the account
        stop = next((hit for hit in hits if hit.key[2] is None), None)
        targets = sorted(hit.key[2] for hit in hits if hit.key[2] is not None)
        pending: list[int | None] = [None] if stop else list(targets)
        try:
            position = next(
                (p for p in await self._venue.positions(account) if p.id == position_id), None
            )
            if position is None:
                pending.clear()  # closed meanwhile: its bracket is gone
                return
            if stop is not None:
                crossed = ", ".join(fmt(bracket.plan.take_profits[t]) for t in targets)
                note = (
                    f"take-profit {crossed} also crossed in this move; the stop is taken first"
                    if targets
                    else ""
                )
                await self._exit(bracket, None, position.qty, stop.level, tick, note)
                pending.clear()
                return
            instrument = self._instruments.get(bracket.plan.symbol)
            open_qty = position.qty
            for target in targets:
                qty = bracket.exit_qty(target, open_qty, instrument)
                level = bracket.plan.take_profits[target]
                await self._exit(bracket, target, qty, level, tick, "")
                pending.remove(target)
                open_qty -= qty
                if not open_qty:
                    pending.clear()  # the position is closed, and its bracket with it
                    break
        finally:
            for target in pending:
                self._book.rearm(bracket, target)

    async def _exit(
        self,
        bracket: Bracket,
        target: int | None,
        qty: Decimal,
        level: Decimal,
        tick: PriceTick,
        note: str,
    ) -> None:
        """Place the exit of one trigger and record it; a refusal is recorded with its reason.

        A :class:`RetryableError` propagates before anything is recorded; the trigger is put
        back and the exit, with the same client order id, is tried again at the next price.
        """
        account, plan = bracket.account, bracket.plan
        client_id = stable_id(account, bracket.position_id, "exit", target)
        what = (
            bracket.stop_reason.value
            if target is None
            else f"take-profit {target + 1} of {len(plan.take_profits)}"
        )
        gap = f", crossed at {fmt(tick.price)}" if tick.price != level else ""
        reason = f"{what} at {fmt(level)}{gap}{f'; {note}' if note else ''}"
        self._book.expect_exit(client_id, bracket.key(target))
        request = OrderRequest(
            client_order_id=client_id,
            symbol=plan.symbol,
            side=plan.side.opposite,
            qty=qty,
            reduce_only=True,
            reason=reason,
        )
        try:
            await self._venue.place(account, request)
        except OrderRefused as exc:
            note = f"the exit was refused: {exc.message}"
        fired = self._event(
            TriggerFired,
            account,
            tick.ts_event,
            position_id=bracket.position_id,
            target=target,
            level=level,
            price=tick.price,
            client_order_id=client_id,
            note=note,
        )
        await self._record(account, [fired])

    # --- venue events -----------------------------------------------------------------------

    async def on_event(self, event: TradingEvent) -> None:
        """Follow the venue's events: arm brackets, move stops to break-even, end brackets.

        Runs while the venue holds the account, so it records and never calls the venue.
        """
        if self._book.idle or event.venue != self._venue.name:
            return
        if not isinstance(event, VENUE_EVENTS):
            return
        decided: list[TradingEvent] = []
        if isinstance(event, OrderFilled):
            decided = self._on_fill(event.account, event.fill)
        self._book.apply(event)
        if decided:
            await self._record(event.account, decided)

    def _on_fill(self, account: str, fill: Fill) -> list[TradingEvent]:
        """Decide what a fill means for the brackets: an entry arms one, a take-profit may
        earn a break-even stop."""
        decided: list[TradingEvent] = []
        plan = self._book.arming_for(account, fill)
        if plan is not None:
            decided.append(
                self._event(
                    BracketArmed,
                    account,
                    fill.ts_event,
                    entry_client_order_id=plan.entry_client_order_id,
                    position_id=fill.position_id,
                    entry_price=fill.price,
                    stop=initial_stop(plan, fill.price),
                )
            )
        level = self._book.break_even_for(fill, self._instruments.get(fill.symbol))
        if level is not None:
            key = self._book.exits[fill.client_order_id]
            decided.append(
                self._event(
                    StopMoved,
                    account,
                    fill.ts_event,
                    position_id=key[1],
                    stop=level,
                    reason=StopReason.BREAK_EVEN,
                )
            )
        return decided

    # --- plumbing ---------------------------------------------------------------------------

    async def _record(self, account: str, events: Sequence[TradingEvent]) -> None:
        await self._journal.append(account, events)
        for event in events:
            self._book.apply(event)
        for event in events:
            await self._publish(event)

    def _event(self, kind: type[E], account: str, ts: int | None = None, **fields: Any) -> E:
        now = self._clock.now_ns()
        return kind(
            ts_event=now if ts is None else ts,
            ts_init=now,
            account=account,
            venue=self._venue.name,
            **fields,
        )
