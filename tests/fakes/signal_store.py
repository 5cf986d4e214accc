"""In-memory SignalStore (port: tradewire.signals.ports)."""

from __future__ import annotations

import asyncio

from tradewire.core.events import AlertProcessed, Signal
from tradewire.signals.ports import SignalQuery


class MemoryStore:
    """SignalStore that keeps everything in lists; can be told to fail or to be slow.

    Like the SQL store, a save whose alert id or signal id is stored already raises
    RuntimeError and keeps nothing of that save.
    """

    def __init__(self) -> None:
        self.alerts: list[AlertProcessed] = []
        self.signals: list[Signal] = []
        self.fail = False
        self.gate: asyncio.Event | None = None
        self._alert_ids: set[str] = set()
        self._signal_ids: set[str] = set()

    async def save(self, processed: AlertProcessed, signal: Signal | None = None) -> None:
        """Keep the alert and, if given, the signal; raise if either id is taken."""
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise OSError("disk on fire")
        alert_id = processed.alert.id
        if alert_id in self._alert_ids or (signal is not None and signal.id in self._signal_ids):
            raise RuntimeError(f"alert {alert_id} or its signal is stored already")
        self.alerts.append(processed)
        self._alert_ids.add(alert_id)
        if signal is not None:
            self.signals.append(signal)
            self._signal_ids.add(signal.id)

    def list_signals(self, query: SignalQuery) -> list[dict[str, object]]:
        """Return stored signals, newest first, as wire dicts."""
        found = [
            s
            for s in self.signals
            if (not query.symbol or s.pair == query.symbol)
            and (not query.strategy or s.strategy == query.strategy)
            and (query.since_ns is None or s.ts_event >= query.since_ns)
            and (query.until_ns is None or s.ts_event < query.until_ns)
        ]
        found.sort(key=lambda s: (s.ts_event, s.id), reverse=True)
        return [s.to_wire() for s in found[: query.limit]]

    def recent_identities(self, since_ns: int) -> list[tuple[str, str, int]]:
        """Return ``(dedupe_key, signal_id, ts_ns)`` of signals since ``since_ns``, oldest first."""
        recent = sorted(
            (s for s in self.signals if s.ts_event >= since_ns), key=lambda s: s.ts_event
        )
        return [(s.dedupe_key, s.id, s.ts_event) for s in recent]
