"""In-memory KeyValueStore (port: tradewire.marketdata.ports), the snapshot cache's backend."""

from __future__ import annotations


class MemoryKeyValueStore:
    """Values with their store time by key; like the real backends, it never judges an entry's
    age: freshness is the cache's business, and an old entry is what it serves in an outage."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[bytes, int]] = {}

    async def put(self, key: str, value: bytes, stored_ns: int) -> None:
        """Store ``value`` under ``key``, replacing what was there, whatever its time."""
        self._entries[key] = (bytes(value), stored_ns)

    async def get(self, key: str) -> tuple[bytes, int] | None:
        return self._entries.get(key)

    async def items(self) -> list[tuple[str, bytes, int]]:
        return [(key, value, stored) for key, (value, stored) in self._entries.items()]

    async def delete(self, key: str | None = None) -> int:
        """Remove one key, or every key; return how many went."""
        if key is None:
            removed = len(self._entries)
            self._entries.clear()
            return removed
        return 0 if self._entries.pop(key, None) is None else 1

    async def size(self) -> tuple[int, int]:
        """Return the number of entries and the bytes of their values."""
        return len(self._entries), sum(len(value) for value, _ in self._entries.values())

    async def aclose(self) -> None:
        """Nothing to release."""
