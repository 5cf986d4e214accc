"""Compose the tape service from Settings (called by ``bootstrap.build``; the area's wiring)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import Engine

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.settings import Settings
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.storage.writer import GroupCommitWriter
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.normalise import Normaliser
from tradewire.tape.service import TapeService


def build_tape(
    settings: Settings,
    *,
    engine: Engine,
    writer: GroupCommitWriter,
    bus: MessageBus,
    clock: Clock,
    registry: CollectorRegistry | None = None,
) -> TapeService:
    """Return the tape service on the SQL store (not started)."""
    service = TapeService(
        store=SqlTapeStore(engine, writer),
        bus=bus,
        clock=clock,
        normaliser=Normaliser(ExchangeClock(settings.tape.exchange_timezone)),
        config=settings.scraper,
        dedupe_window_s=settings.tape.dedupe_window_s,
        retention_interval_s=settings.tape.retention_interval_s,
    )
    if registry is not None:
        gauge = Gauge(
            "tradewire_tape_rows",
            "Tape rows since start by outcome",
            ["outcome"],
            registry=registry,
        )
        for outcome in service.totals:
            gauge.labels(outcome).set_function(lambda o=outcome: service.totals[o])
        Gauge(
            "tradewire_tape_persist_lag_ms",
            "Age of the oldest uncommitted tape write",
            registry=registry,
        ).set_function(lambda: service.persist_lag_ms)
    return service
