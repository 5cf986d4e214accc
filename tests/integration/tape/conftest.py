"""A real tape service on a real database (SQLite file and PostgreSQL) for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from tradewire.bootstrap.tape import build_tape
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, LiveClock
from tradewire.core.events import Event
from tradewire.settings import Settings
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.storage.writer import GroupCommitWriter
from tradewire.tape.service import TapeService


@dataclass
class TapeRig:
    """A started service plus what it was built on; ``events`` collects bus traffic."""

    url: str
    service: TapeService
    store: SqlTapeStore
    bus: MessageBus
    writer: GroupCommitWriter
    events: list[Event] = field(default_factory=list)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
async def tape_factory(db_url, tmp_path) -> AsyncIterator[Callable]:
    """Start services on one database (several may be started to simulate restarts)."""
    engine = create_db_engine(db_url)
    upgrade(db_url, engine=engine)
    rigs: list[TapeRig] = []

    async def start(clock: Clock | None = None, **settings) -> TapeRig:
        writer = GroupCommitWriter(engine)
        writer.start()
        bus = MessageBus()
        config = Settings(data_dir=tmp_path, database_url=db_url, **settings)
        service = build_tape(
            config, engine=engine, writer=writer, bus=bus, clock=clock or LiveClock()
        )
        rig = TapeRig(db_url, service, SqlTapeStore(engine, writer), bus, writer)
        bus.subscribe(Event, rig.events.append)
        await service.start()
        rigs.append(rig)
        return rig

    yield start
    for rig in rigs:
        await rig.service.stop()
        rig.writer.stop()
    engine.dispose()
