"""A TapeStore that fails its next writes, as a full disk or a lost database would."""

from __future__ import annotations

from collections.abc import Sequence

from tradewire.core.events import TapeTrade
from tradewire.tape.ports import TapeStore


class FailingWrites:
    """Delegate to ``store``, but make the next ``failures`` calls of ``add`` raise OSError."""

    def __init__(self, store: TapeStore) -> None:
        self._store = store
        self.failures = 0

    async def add(self, trades: Sequence[TapeTrade]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError(28, "No space left on device")
        await self._store.add(trades)

    def __getattr__(self, name: str):
        return getattr(self._store, name)
