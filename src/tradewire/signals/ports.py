"""Ports of the signals package: durable storage of processed alerts and signals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tradewire.core.events import AlertProcessed, Signal


@dataclass(frozen=True, slots=True)
class SignalQuery:
    """Filters for listing stored signals; times are UTC epoch ns, ``until_ns`` exclusive."""

    symbol: str | None = None
    strategy: str | None = None
    since_ns: int | None = None
    until_ns: int | None = None
    limit: int = 100


class SignalStore(Protocol):
    """Port: durable storage of processed alerts, and the reads the service needs back."""

    async def save(self, processed: AlertProcessed, signal: Signal | None = None) -> None:
        """Commit the alert and, if given, a signal; return only once both are durable."""
        ...

    def list_signals(self, query: SignalQuery) -> list[dict[str, object]]:
        """Return stored signals matching ``query``, newest first, in the wire shape."""
        ...

    def recent_identities(self, since_ns: int) -> list[tuple[str, str, int]]:
        """Return ``(dedupe_key, signal_id, ts_ns)`` of signals since ``since_ns``, oldest first."""
        ...
