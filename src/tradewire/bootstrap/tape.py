"""Compose the tape service on the SQL store from Settings."""

from __future__ import annotations

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.settings import Settings
from tradewire.storage.db import Engine, create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.storage.writer import GroupCommitWriter
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.normalise import Normaliser
from tradewire.tape.service import TapeService


def build_tape(
    settings: Settings, *, engine: Engine, writer: GroupCommitWriter, bus: MessageBus, clock: Clock
) -> TapeService:
    """Return the tape service on the SQL store (not started; it handles TapeBatch once it is)."""
    return TapeService(
        store=SqlTapeStore(engine, writer),
        bus=bus,
        clock=clock,
        normaliser=Normaliser(ExchangeClock(settings.tape.exchange_timezone)),
        config=settings.scraper,
        dedupe_window_s=settings.tape.dedupe_window_s,
        retention_interval_s=settings.tape.retention_interval_s,
    )


def open_tape_store(settings: Settings) -> SqlTapeStore:
    """The tape store of the configured database, migrated to the current schema, for commands
    that read or clean it outside a running service."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    upgrade(settings.db_url, engine=engine)
    return SqlTapeStore(engine)
