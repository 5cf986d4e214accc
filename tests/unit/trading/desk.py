"""A paper trading desk for tests: a paper venue and a trade manager over one journal, with
every event they publish collected in order (and handed to the manager, as the bus would)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from tradewire.core.clock import TestClock
from tradewire.core.events import AlertSource, Direction, Intent, Side, Signal
from tradewire.core.prices import PriceTick
from tradewire.trading.account import AccountSettings
from tradewire.trading.config import PaperSettings
from tradewire.trading.events import SignalHandled, TradingEvent
from tradewire.trading.fees import FeeModel, SlippageModel
from tradewire.trading.instruments import InstrumentBook
from tradewire.trading.journal import MemoryTradeJournal
from tradewire.trading.manager import TradeManager
from tradewire.trading.ports import ExecutionVenue, TradeJournal
from tradewire.trading.venues.paper import PaperVenue

D = Decimal
NO_FEES = FeeModel(maker_bps=D(0), taker_bps=D(0))
NO_SLIPPAGE = SlippageModel(amount=D(0))


class Desk:
    """Build a paper venue and a trade manager; drive them with prices and signals."""

    def __init__(
        self,
        *,
        fees: FeeModel = NO_FEES,
        slippage: SlippageModel = NO_SLIPPAGE,
        balances: dict[str, Decimal] | None = None,
        journal: TradeJournal | None = None,
        clock: TestClock | None = None,
        wrap: Callable[[ExecutionVenue], ExecutionVenue] | None = None,
    ) -> None:
        self.clock = clock or TestClock()
        self.journal = journal if journal is not None else MemoryTradeJournal()
        self.settings = PaperSettings(
            fees=fees, slippage=slippage, **({"balances": balances} if balances else {})
        )
        self.instruments = InstrumentBook()
        self.events: list[TradingEvent] = []
        self.venue = PaperVenue(
            self.settings, self.instruments, self.journal, self._publish, self.clock
        )
        #: What the manager trades through: the venue, or ``wrap(venue)``.
        self.execution = wrap(self.venue) if wrap else self.venue
        self.manager = TradeManager(
            self.execution, self.instruments, self.journal, self._publish, self.clock
        )

    async def _publish(self, event: TradingEvent) -> None:
        self.events.append(event)
        await self.manager.on_event(event)

    async def restart(self, journal: TradeJournal | None = None) -> Desk:
        """Return a new desk restored from this desk's journal, or ``journal`` (a restart)."""
        desk = Desk(journal=journal or self.journal, clock=self.clock)
        desk.settings = self.settings
        desk.venue = desk.execution = PaperVenue(
            self.settings, desk.instruments, desk.journal, desk._publish, desk.clock
        )
        desk.manager = TradeManager(
            desk.venue, desk.instruments, desk.journal, desk._publish, desk.clock
        )
        await desk.venue.restore()
        await desk.manager.restore()
        return desk

    async def price(self, symbol: str, price: str | Decimal) -> None:
        self.clock.advance(1)
        now = self.clock.now_ns()
        tick = PriceTick(ts_event=now, ts_init=now, symbol=symbol, price=D(price), source="test")
        await self.manager.on_price(tick)

    async def path(self, symbol: str, *prices: str) -> None:
        for price in prices:
            await self.price(symbol, price)

    async def signal(
        self, account: str = "alice", settings: AccountSettings | None = None, **fields: object
    ) -> SignalHandled:
        return await self.manager.on_signal(
            account, settings or AccountSettings(), make_signal(**fields)
        )

    def of(self, kind: type) -> list:
        """Return the collected events of ``kind``, in order."""
        return [e for e in self.events if isinstance(e, kind)]


_counter = iter(range(1, 1_000_000))


def make_signal(
    pair: str = "BTC/USDT",
    direction: Direction = Direction.BUY,
    *,
    id: str | None = None,
    entry: float | None = None,
    take_profit: tuple[float, ...] = (),
    stop_loss: float | None = None,
    intent: Intent = Intent.OPEN,
    side: Side | None = None,
    qty: float | None = None,
    qty_unit=None,
) -> Signal:
    """Return a signal as the pipeline would emit it."""
    signal_id = id or f"sig-{next(_counter)}"
    return Signal(
        ts_event=1,
        ts_init=1,
        id=signal_id,
        alert_id=f"alert-{signal_id}",
        pair=pair,
        direction=direction,
        raw_text="",
        format="test",
        source=AlertSource.WEBHOOK,
        dedupe_key=signal_id,
        entry=entry,
        take_profit=take_profit,
        stop_loss=stop_loss,
        intent=intent,
        side=side if side is not None or intent is not Intent.OPEN else direction.order_side,
        qty=qty,
        qty_unit=qty_unit,
    )
