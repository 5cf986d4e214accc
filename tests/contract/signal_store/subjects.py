"""Probes that read back what a SignalStore committed: the fake's lists, or the SQL store's
tables (the port promises only that a save is durable once it returns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, select

from tests.fakes.signal_store import MemoryStore
from tradewire.core.events import AlertProcessed, AlertSource, AlertStatus, Signal
from tradewire.signals.ports import SignalStore
from tradewire.storage.models import AlertRow, SignalRow
from tradewire.storage.repositories.signals import row_to_signal


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """What a store keeps of a processed alert (its signal is stored on its own)."""

    id: str
    ts_ns: int
    source: AlertSource
    content_type: str
    body: str
    account: str | None
    remote_addr: str | None
    ocr_confidence: float | None
    status: AlertStatus
    reason: str | None
    signal_id: str | None
    duplicate_of: str | None

    @classmethod
    def of(cls, processed: AlertProcessed) -> StoredAlert:
        """Return what should be stored of ``processed``."""
        alert = processed.alert
        return cls(
            id=alert.id,
            ts_ns=alert.ts_event,
            source=alert.source,
            content_type=alert.content_type,
            body=alert.body,
            account=alert.account,
            remote_addr=alert.remote_addr,
            ocr_confidence=alert.ocr_confidence,
            status=processed.status,
            reason=processed.reason,
            signal_id=processed.signal.id if processed.signal else None,
            duplicate_of=processed.duplicate_of,
        )


class Probe(Protocol):
    """Read everything an adapter has committed, one entry per stored row."""

    def alerts(self) -> Sequence[StoredAlert]: ...

    def signals(self) -> Sequence[Signal]: ...


class MemoryProbe:
    """What the fake holds, in the stored shape."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def alerts(self) -> list[StoredAlert]:
        return [StoredAlert.of(processed) for processed in self._store.alerts]

    def signals(self) -> list[Signal]:
        return list(self._store.signals)


class SqlProbe:
    """What the SQL store's tables hold."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def alerts(self) -> list[StoredAlert]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(AlertRow.__table__)).mappings().all()
        return [
            StoredAlert(
                **{
                    **row,
                    "source": AlertSource(row["source"]),
                    "status": AlertStatus(row["status"]),
                }
            )
            for row in rows
        ]

    def signals(self) -> list[Signal]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(SignalRow.__table__)).mappings().all()
        return [row_to_signal(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Subject:
    """An adapter and the probe that sees what it stored."""

    store: SignalStore
    probe: Probe
