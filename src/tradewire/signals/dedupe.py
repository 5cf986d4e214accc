"""Duplicate suppression.

Identity rule: an alert that carries an explicit id (JSON ``id``, ``signal_id``, ``fire_id``,
``uid``…) is identified by that id for ``id_window_s`` (default one day); any other alert by its
normalised content — pair, contract, direction, intent and side (an exit and an entry are
different signals), entries, take-profits, stop-loss, strategy and quantity with its unit — for
``window_s`` (default 60 s, ``TRADEWIRE_DEDUPE_WINDOW_S``). The raw text, letter
case, spacing, source (webhook, pop-up, OCR) and account do not count, so TradingView's retries
and the same alert seen by webhook and in the browser yield one signal. A window of 0 turns
content suppression off.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from tradewire.alerts import ParsedAlert
from tradewire.core.ids import stable_id


@dataclass(slots=True)
class SeenEntry:
    """What the first alert with a given identity became."""

    signal_id: str
    expires_ns: int
    stored: bool = True


def identity_key(parsed: ParsedAlert) -> str:
    """Return the duplicate-suppression key of a parsed alert."""
    if parsed.external_id:
        return "id:" + stable_id(parsed.external_id)
    return "c:" + stable_id(
        parsed.symbol.pair,
        parsed.symbol.contract,
        parsed.direction.value,
        parsed.intent.value,
        parsed.side.value if parsed.side else None,
        parsed.entries,
        parsed.take_profit,
        parsed.stop_loss,
        (parsed.strategy or "").lower(),
        parsed.qty,
        parsed.qty_unit.value if parsed.qty_unit else None,
    )


class Deduplicator:
    """Remember identities for their window; O(1) per check, expired entries dropped in order."""

    def __init__(self, window_s: float, id_window_s: float = 86_400.0) -> None:
        self._ttl = {"c": int(window_s * 1e9), "id": int(id_window_s * 1e9)}
        self._seen: dict[str, SeenEntry] = {}
        self._expiry: dict[str, deque[tuple[int, str]]] = {"c": deque(), "id": deque()}

    def __len__(self) -> int:
        return len(self._seen)

    def lookup(self, key: str, now_ns: int) -> SeenEntry | None:
        """Return the live entry for ``key``, or None if it is new or expired."""
        self._expire(now_ns)
        entry = self._seen.get(key)
        if entry is not None and entry.expires_ns > now_ns:
            return entry
        return None

    def remember(
        self, key: str, signal_id: str, ts_ns: int, stored: bool = True
    ) -> SeenEntry | None:
        """Record ``key`` as first seen at ``ts_ns``; return the entry, or None if not tracked."""
        kind = key.split(":", 1)[0]
        ttl = self._ttl[kind]
        if ttl <= 0:
            return None
        entry = SeenEntry(signal_id=signal_id, expires_ns=ts_ns + ttl, stored=stored)
        self._seen[key] = entry
        self._expiry[kind].append((entry.expires_ns, key))
        return entry

    def warm(self, entries: Iterable[tuple[str, str, int]], now_ns: int) -> int:
        """Load ``(key, signal_id, ts_ns)`` of stored signals, oldest first; count the live."""
        loaded = 0
        for key, signal_id, ts_ns in entries:
            entry = self.remember(key, signal_id, ts_ns)
            if entry is not None and entry.expires_ns > now_ns:
                loaded += 1
        self._expire(now_ns)
        return loaded

    def _expire(self, now_ns: int) -> None:
        for queue in self._expiry.values():
            while queue and queue[0][0] <= now_ns:
                expires, key = queue.popleft()
                entry = self._seen.get(key)
                if entry is not None and entry.expires_ns == expires:
                    del self._seen[key]
