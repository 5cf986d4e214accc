"""The price service: the latest price of every symbol, from every feed, published on the bus.

Feeds hand their ticks to :meth:`PriceService.update`; tape prints and collector quotes arrive
as bus events. Each tick is keyed by the symbol a signal would name — normalised like alert
symbols (``BTCUSDT`` is ``BTC/USDT``), a continuous future as its current contract (``NQ1!`` at
the tick's time is ``NQZ5``: :mod:`tradewire.marketdata.rolls`) — and, if it is newer than the
latest price of that symbol, kept and published as a :class:`PriceTick` with that symbol.
Older ticks and repeats (same time and price) are dropped and counted. So is a tick stamped
more than ``max_ahead_s`` after tradewire's clock: kept, it would pass for the latest price and
hide every true one until its time came (a wrong time zone, a clock gone wrong). At most
``max_symbols`` symbols are kept; the one updated longest ago goes first.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Protocol

import structlog

from tradewire.alerts.symbols import normalise_symbol
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, iso_utc, ns_to_datetime
from tradewire.core.events import MarketSnapshot, TapeStored
from tradewire.core.prices import PriceTick
from tradewire.marketdata.feeds.ticks import MAX_AHEAD_S, tick_from_quote, ticks_from_tape
from tradewire.marketdata.rolls import resolve

log = structlog.get_logger(__name__)

#: Hands one tick to the price service, which returns it as published (None: not newer).
Emit = Callable[[PriceTick], PriceTick | None]


class PriceFeed(Protocol):
    """A source of prices that runs until cancelled, handing each tick to ``emit``."""

    name: str

    async def run(self, emit: Emit) -> None: ...

    async def aclose(self) -> None: ...

    def status(self) -> dict[str, object]: ...


@dataclass(slots=True)
class PriceCounters:
    """What the service did with the ticks it was given."""

    published: int = 0
    stale: int = 0
    future: int = 0
    evicted: int = 0


class PriceService:
    """Keep the latest price per symbol and publish each new one; run the price feeds."""

    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        *,
        max_symbols: int = 10_000,
        max_ahead_s: float = MAX_AHEAD_S,
        feeds: Sequence[PriceFeed] = (),
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._max_symbols = max_symbols
        self._max_ahead_ns = int(max_ahead_s * 1e9)
        self._warned_future: set[str] = set()
        self.feeds = tuple(feeds)
        self._latest: OrderedDict[str, PriceTick] = OrderedDict()
        self._tasks: list[asyncio.Task[None]] = []
        self.running = False
        self.counters = PriceCounters()

    # --- prices ------------------------------------------------------------------------------

    def key(self, symbol: str, at_ns: int) -> str:
        """The symbol ``symbol`` is priced under at ``at_ns``; ValidationError if invalid."""
        return resolve(normalise_symbol(symbol).pair, ns_to_datetime(at_ns))

    def latest(self, symbol: str, at_ns: int | None = None) -> PriceTick | None:
        """The latest price of ``symbol`` (as a signal names it: ``NQ1!`` is priced by the
        contract of ``at_ns``, now unless given), or None if no feed has priced it."""
        at = self._clock.now_ns() if at_ns is None else at_ns
        return self._latest.get(self.key(symbol, at))

    def prices(self) -> list[PriceTick]:
        """The latest price of every symbol, by symbol."""
        return sorted(self._latest.values(), key=lambda tick: tick.symbol)

    def counts(self) -> dict[str, int]:
        """Symbols priced, and what was done with the ticks: published, dropped as stale or
        from the future, symbols evicted."""
        return {"symbols": len(self._latest), **asdict(self.counters)}

    def update(self, tick: PriceTick) -> PriceTick | None:
        """Keep and publish ``tick`` if it is newer than its symbol's latest price; return it as
        published (under the symbol it prices), or None."""
        if tick.ts_event > self._clock.now_ns() + self._max_ahead_ns:
            self.counters.future += 1
            if tick.source not in self._warned_future:  # once per source: a feed repeats it
                self._warned_future.add(tick.source)
                log.warning(
                    "price stamped in the future dropped: check the source's time zone or clock",
                    source=tick.source,
                    symbol=tick.symbol,
                    ts=iso_utc(tick.ts_event),
                    now=iso_utc(self._clock.now_ns()),
                )
            return None
        symbol = self.key(tick.symbol, tick.ts_event)
        current = self._latest.get(symbol)
        if current is not None and (
            tick.ts_event < current.ts_event
            or (tick.ts_event == current.ts_event and tick.price == current.price)
        ):
            self.counters.stale += 1
            return None
        if symbol != tick.symbol:
            tick = replace(tick, symbol=symbol)
        self._latest[symbol] = tick
        self._latest.move_to_end(symbol)
        if len(self._latest) > self._max_symbols:
            self._latest.popitem(last=False)
            self.counters.evicted += 1
        self.counters.published += 1
        self._bus.publish_nowait(tick)
        return tick

    # --- sources -----------------------------------------------------------------------------

    def on_tape(self, event: TapeStored) -> None:
        """Price each symbol of newly stored tape prints by its last print."""
        for tick in ticks_from_tape(event.trades, self._clock.now_ns()):
            self.update(tick)

    def on_snapshot(self, snapshot: MarketSnapshot) -> None:
        """Price a collected ticker by its quote."""
        self.update(tick_from_quote(snapshot.quote, self._clock.now_ns()))

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Follow the tape and the collector, and start every feed (again: nothing)."""
        if self.running:
            return
        self.running = True
        self._bus.subscribe(TapeStored, self.on_tape)
        self._bus.subscribe(MarketSnapshot, self.on_snapshot)
        self._tasks = [
            asyncio.create_task(self._run(feed), name=f"price feed {feed.name}")
            for feed in self.feeds
        ]
        log.info("price feeds started", feeds=[feed.name for feed in self.feeds])

    async def stop(self) -> None:
        """Stop every feed and release what it holds (connections, sessions)."""
        if not self.running:
            return
        self.running = False
        self._bus.unsubscribe(TapeStored, self.on_tape)
        self._bus.unsubscribe(MarketSnapshot, self.on_snapshot)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for feed in self.feeds:
            try:
                await feed.aclose()
            except Exception as exc:  # one feed's failing close must not keep the others open
                log.warning("price feed did not close cleanly", feed=feed.name, error=str(exc))

    async def _run(self, feed: PriceFeed) -> None:
        # Feeds retry what can be retried themselves; anything else ends that feed alone.
        try:
            await feed.run(self.update)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("price feed stopped", feed=feed.name)
