"""Whether the database takes writes, for ``/health``.

The group-commit writer knows when writes started failing; nothing tells it they work again
until something is written. So while writes are failing, each health check (at most one every
``min_interval_s``) replaces the probe table's one row through the writer: if that commits, the
writer's failure is cleared and the service is healthy again without waiting for real traffic.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, delete, insert

from tradewire.storage.models import WriteProbeRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch

_PROBE = WriteProbeRow.__table__


class WriteProbe:
    """Answer whether writes succeed, probing only while they have been failing."""

    def __init__(self, writer: GroupCommitWriter, min_interval_s: float = 2.0) -> None:
        self._writer = writer
        self._min_interval_s = min_interval_s
        self._last_probe = float("-inf")

    async def writes_ok(self) -> bool:
        if self._writer.failure is None:
            return True
        now = time.monotonic()
        if now - self._last_probe < self._min_interval_s:
            return False
        self._last_probe = now
        try:
            await self._writer.write(WriteBatch(steps=[_replace_probe_row]))
        except Exception:
            return False
        return self._writer.failure is None


def _replace_probe_row(conn: Connection) -> None:
    conn.execute(delete(_PROBE))
    conn.execute(insert(_PROBE).values(id=1, written_ns=time.time_ns()))
