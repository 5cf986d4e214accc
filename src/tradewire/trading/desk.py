"""The paper desk: accepted signals and prices into paper trades for every user who opted in.

It owns the paper venue and the trade manager over one journal. Each accepted signal goes to
every follower (:mod:`.followers`) at once; a retryable failure (the journal's storage, say) is
tried again with backoff, safely, since a retry places with the same client order ids. Prices
are taken one at a time, in the order they were published, so a mark never goes back in time.

Start it before prices flow: it rebuilds the venue and the brackets from the journal first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import structlog

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.core.errors import NotFoundError, RetryableError
from tradewire.core.events import Signal, SignalEmitted
from tradewire.core.ids import stable_id
from tradewire.core.prices import PriceTick
from tradewire.trading.brackets import Bracket
from tradewire.trading.config import TradingSettings
from tradewire.trading.events import SignalHandled, TradingEvent
from tradewire.trading.followers import Follower, Followers
from tradewire.trading.instruments import InstrumentBook
from tradewire.trading.manager import TradeManager
from tradewire.trading.model import Balance, Fill, Order, OrderRequest, Position
from tradewire.trading.ports import TradeJournal
from tradewire.trading.venues.paper import PaperVenue
from tradewire.users.model import UserSettingsChanged
from tradewire.users.service import UserService

log = structlog.get_logger(__name__)

#: The symbol a signal's pair trades as at a moment (epoch ns): ``NQ1!`` → ``NQZ5``.
ResolveSymbol = Callable[[str, int], str]


def same_symbol(pair: str, _ts_ns: int) -> str:
    return pair


@dataclass(frozen=True, slots=True)
class Retry:
    """How often, and how patiently, a signal is retried for one user after a retryable error."""

    attempts: int = 5
    first_delay_s: float = 0.05
    max_delay_s: float = 2.0

    def delay(self, attempt: int, asked: float | None) -> float:
        """Wait before try ``attempt + 1``: doubling, at least what the error asked for, capped."""
        return min(max(self.first_delay_s * 2**attempt, asked or 0.0), self.max_delay_s)


class PaperDesk:
    """Paper trading for every opted-in user, and what the API and CLI read of it."""

    def __init__(
        self,
        settings: TradingSettings,
        journal: TradeJournal,
        bus: MessageBus,
        users: UserService,
        clock: Clock,
        *,
        resolve_symbol: ResolveSymbol = same_symbol,
        retry: Retry = Retry(),
    ) -> None:
        instruments = InstrumentBook(settings.instruments)
        self.journal = journal
        self.venue = PaperVenue(settings.paper, instruments, journal, self._publish, clock)
        self.manager = TradeManager(self.venue, instruments, journal, self._publish, clock)
        self.followers = Followers()
        self._bus = bus
        self._users = users
        self._resolve = resolve_symbol
        self._retry = retry
        self._ticks: asyncio.Queue[PriceTick] = asyncio.Queue()
        self._pricing: asyncio.Task[None] | None = None

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Rebuild accounts and brackets from the journal, load the followers, then follow
        signals, prices and settings changes (after the user service has loaded)."""
        await self.venue.restore()
        await self.manager.restore()
        users = await self._users.list()
        saved = await asyncio.gather(*(self._users.saved_settings(u.name) for u in users))
        for user, settings in zip(users, saved, strict=True):
            if settings is not None:
                self.followers.set(user.name, settings)
        self._bus.subscribe(UserSettingsChanged, self.on_settings)
        self._bus.subscribe(SignalEmitted, self.on_signal)
        self._bus.subscribe(PriceTick, self.on_price)
        self._pricing = asyncio.create_task(self._follow_prices(), name="paper desk prices")
        log.info("paper desk started", followers=len(self.followers))

    async def stop(self) -> None:
        """Stop following; signals being handled finish on their own tasks."""
        if self._pricing is None:
            return
        self._bus.unsubscribe(UserSettingsChanged, self.on_settings)
        self._bus.unsubscribe(SignalEmitted, self.on_signal)
        self._bus.unsubscribe(PriceTick, self.on_price)
        self._pricing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pricing
        self._pricing = None

    # --- bus handlers -----------------------------------------------------------------------

    def on_settings(self, event: UserSettingsChanged) -> None:
        self.followers.set(event.user, event.settings)

    def on_price(self, tick: PriceTick) -> None:
        self._ticks.put_nowait(tick)

    async def on_signal(self, event: SignalEmitted) -> list[SignalHandled | None]:
        """Trade ``event``'s signal for every enabled follower of it, all at once; return what
        each did (None where it failed)."""
        signal = self._traded(event.signal)
        followers = [
            f for f in self.followers.of(event.signal) if not self._users.is_disabled(f.account)
        ]
        return await asyncio.gather(*(self._trade(f, signal) for f in followers))

    def _traded(self, signal: Signal) -> Signal:
        """The signal as traded: a continuous future's pair as the contract current then."""
        symbol = self._resolve(signal.pair, signal.ts_event)
        return signal if symbol == signal.pair else replace(signal, pair=symbol)

    async def _trade(self, follower: Follower, signal: Signal) -> SignalHandled | None:
        """Trade ``signal`` for one follower, retrying what may succeed later; None if not."""
        account, tries = follower.account, 0
        while True:
            try:
                return await self.manager.on_signal(account, follower.settings, signal)
            except RetryableError as exc:
                tries += 1
                if tries >= self._retry.attempts:
                    log.error(
                        "paper signal given up",
                        account=account,
                        signal=signal.id,
                        attempts=tries,
                        error=exc.message,
                    )
                    return None
                delay = self._retry.delay(tries - 1, exc.retry_after)
                log.warning(
                    "paper signal retried",
                    account=account,
                    signal=signal.id,
                    attempt=tries,
                    delay_s=delay,
                    error=exc.message,
                )
                await asyncio.sleep(delay)
            except Exception:
                log.exception("paper signal failed", account=account, signal=signal.id)
                return None

    async def _follow_prices(self) -> None:
        while True:
            tick = await self._ticks.get()
            try:
                await self.manager.on_price(tick)
            except Exception:
                # An exit the venue could not take is retried by the next price (its trigger
                # was put back); nothing else may stop the prices.
                log.exception("paper price failed", symbol=tick.symbol, price=str(tick.price))

    async def _publish(self, event: TradingEvent) -> None:
        # The manager follows the venue first (it arms brackets); then every other listener.
        await self.manager.on_event(event)
        await self._bus.publish(event)

    # --- an account -------------------------------------------------------------------------

    async def balances(self, account: str) -> list[Balance]:
        return await self.venue.balances(account)

    async def positions(self, account: str) -> list[Position]:
        return await self.venue.positions(account)

    async def closed_positions(self, account: str) -> list[Position]:
        return await self.venue.closed_positions(account)

    async def fills(self, account: str) -> list[Fill]:
        return await self.venue.fills(account)

    def bracket(self, account: str, position_id: str) -> Bracket | None:
        """The stop and take-profits guarding an open position, if it has any."""
        return self.manager.brackets.brackets.get((account, position_id))

    async def events(self, account: str) -> list[TradingEvent]:
        """Everything that happened to the account, in order (its journal)."""
        return await self.journal.read(account)

    async def close(self, account: str, position_id: str) -> Order:
        """Close an open position at the market; NotFoundError if there is no such position."""
        position = next(
            (p for p in await self.venue.positions(account) if p.id == position_id), None
        )
        if position is None:
            raise NotFoundError(f"no open position {position_id[:64]!r} in your paper account")
        request = OrderRequest(
            client_order_id=stable_id(account, position_id, "closed by the trader"),
            symbol=position.symbol,
            side=position.side.opposite,
            qty=position.qty,
            reduce_only=True,
            reason="closed by the trader",
        )
        return await self.venue.place(account, request)

    async def reset(self, account: str) -> list[Balance]:
        """Start the account again with the configured balances and nothing open; its history
        stays in the journal."""
        await self.venue.reset(account)
        return await self.venue.balances(account)
