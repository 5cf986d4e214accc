"""Compose the user service on the SQL user store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, LiveClock
from tradewire.settings import Settings
from tradewire.storage.db import Engine, create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.users import SqlUserStore
from tradewire.storage.writer import GroupCommitWriter
from tradewire.users.passwords import Passwords
from tradewire.users.service import UserService


def build_users(
    *, engine: Engine, writer: GroupCommitWriter, bus: MessageBus, clock: Clock
) -> UserService:
    """Return the user service on the SQL store (call its ``load`` once the schema is there)."""
    return UserService(SqlUserStore(engine, writer), Passwords(), bus, clock)


@asynccontextmanager
async def open_users(settings: Settings) -> AsyncIterator[UserService]:
    """The user service of the configured database, migrated to the current schema, for
    commands run outside a server; its writer and engine are closed afterwards."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    writer = GroupCommitWriter(engine)
    try:
        await asyncio.to_thread(upgrade, settings.db_url, engine=engine)
        writer.start()
        yield build_users(engine=engine, writer=writer, bus=MessageBus(), clock=LiveClock())
    finally:
        await asyncio.to_thread(writer.stop)
        engine.dispose()
