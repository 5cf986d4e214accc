"""Compose paper trading: the trade journal, the paper desk, and the owner's trading messages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tradewire.api.ws_trading import TradingMessages
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, ns_to_datetime
from tradewire.marketdata.rolls import resolve
from tradewire.settings import Settings
from tradewire.storage.db import Engine, create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.trade_journal import SqlTradeJournal
from tradewire.storage.writer import GroupCommitWriter
from tradewire.trading.desk import PaperDesk
from tradewire.trading.ports import TradeJournal
from tradewire.users.service import UserService


def front_month(pair: str, ts_ns: int) -> str:
    """The symbol a signal's pair trades as: a continuous future as its contract then."""
    return resolve(pair, ns_to_datetime(ts_ns))


def trade_journal(*, engine: Engine, writer: GroupCommitWriter) -> TradeJournal:
    """The journal of every account's trading events: the truth a restart replays."""
    return SqlTradeJournal(engine, writer)


def build_desk(
    settings: Settings,
    *,
    journal: TradeJournal,
    bus: MessageBus,
    users: UserService,
    clock: Clock,
) -> PaperDesk:
    """The paper desk (not started: start it after the users load, before the prices)."""
    return PaperDesk(settings.trading, journal, bus, users, clock, resolve_symbol=front_month)


def follow_trading_messages(bus: MessageBus, messages: TradingMessages) -> None:
    """Send each user's trading events to that user's own connections."""
    for kind in messages.KINDS:
        bus.subscribe(kind, messages.on_event)


@asynccontextmanager
async def open_journal(settings: Settings) -> AsyncIterator[TradeJournal]:
    """The configured database's trade journal, for reading outside a server (migrated to the
    current schema first); its engine is closed afterwards."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    try:
        await asyncio.to_thread(upgrade, settings.db_url, engine=engine)
        # Never started: reading needs no writer.
        yield trade_journal(engine=engine, writer=GroupCommitWriter(engine))
    finally:
        engine.dispose()
