"""Group-commit writer: one thread owns all writes and commits many callers' rows at once.

Callers hand over a :class:`WriteBatch` and await its future, which resolves only after the
transaction holding it has committed — so an acknowledgement sent after ``await write(...)``
is durable. Batching amortises the commit (fsync) over everything that arrived meanwhile,
which is what makes durable intake fast. A failing batch is retried item by item so that one
bad row cannot fail its neighbours; when the database itself cannot be written (unreachable,
full, read-only) every caller gets a RetryableError at once, and :attr:`failure` says so until
a write succeeds again.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Connection, Engine, Table

from tradewire.storage.errors import reason, retryable_error, unavailable

log = structlog.get_logger(__name__)

#: A custom write step run inside the batch's transaction (e.g. PostgreSQL COPY).
WriteFn = Callable[[Connection], None]
#: Makes the error a failed write's caller gets (one each: callers raise it in their own tasks).
ErrorFn = Callable[[], BaseException]


@dataclass(slots=True)
class WriteBatch:
    """Rows to insert (per table, in order) and optional custom steps, committed together."""

    inserts: list[tuple[Table, list[dict]]] = field(default_factory=list)
    steps: list[WriteFn] = field(default_factory=list)

    def add(self, table: Table, rows: Sequence[dict] | dict) -> WriteBatch:
        self.inserts.append((table, [rows] if isinstance(rows, dict) else list(rows)))
        return self

    def __len__(self) -> int:
        return sum(len(rows) for _, rows in self.inserts) + len(self.steps)


_STOP = object()


class GroupCommitWriter:
    """Serialise writes through one thread, committing whatever is queued in one transaction."""

    def __init__(self, engine: Engine, *, max_batch_rows: int = 50_000, name: str = "db-writer"):
        self._engine = engine
        self._max_rows = max_batch_rows
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self.commits = 0
        self.rows_written = 0
        self.last_commit_ms: float = 0.0
        self.pending = 0
        #: Why the database could not be written, from the last write that failed so; None
        #: once a later write succeeds (an empty barrier proves nothing and changes nothing).
        self.failure: str | None = None

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write everything already queued, then stop the thread."""
        if self._started:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._started = False

    def submit(self, batch: WriteBatch) -> Future[None]:
        """Queue ``batch``; the returned future resolves once it is committed."""
        if not self._started:
            raise RuntimeError("writer is not running")
        future: Future[None] = Future()
        self.pending += 1
        self._queue.put((batch, future))
        return future

    async def write(self, batch: WriteBatch) -> None:
        """Queue ``batch`` and wait until it is committed."""
        await asyncio.wrap_future(self.submit(batch))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            items = [first]
            rows = len(first[0])
            while rows < self._max_rows:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stopping = True
                    break
                items.append(nxt)
                rows += len(nxt[0])
            self._commit(items)

    def _commit(self, items: list[tuple[WriteBatch, Future[None]]]) -> None:
        started = time.perf_counter()
        try:
            with self._engine.begin() as conn:
                self._apply(conn, [batch for batch, _ in items])
        except Exception as exc:
            if unavailable(exc):
                # Nothing can be written now: retrying item by item would only fail each again.
                self.failure = reason(exc)
                log.warning("database write failed", error=self.failure)
                self._settle(items, error=retryable_error)
                return
            if len(items) == 1:
                log.exception("database write failed")
                self._settle(items, error=lambda: RuntimeError("database write failed"))
                return
            # Isolate the bad item: retry each on its own.
            for item in items:
                self._commit([item])
            return
        written = sum(len(batch) for batch, _ in items)
        self.commits += 1
        self.rows_written += written
        self.last_commit_ms = (time.perf_counter() - started) * 1000
        if written:
            self.failure = None
        self._settle(items)

    def _settle(
        self, items: list[tuple[WriteBatch, Future[None]]], error: ErrorFn | None = None
    ) -> None:
        for _batch, future in items:
            self.pending -= 1
            if future.cancelled():
                continue  # its caller gave up waiting (shutdown); the outcome has no reader
            if error is not None:
                future.set_exception(error())
            else:
                future.set_result(None)

    @staticmethod
    def _apply(conn: Connection, batches: list[WriteBatch]) -> None:
        by_table: dict[Table, list[dict]] = {}
        for batch in batches:
            for table, rows in batch.inserts:
                by_table.setdefault(table, []).extend(rows)
        for table, rows in by_table.items():
            conn.execute(table.insert(), rows)
        for batch in batches:
            for step in batch.steps:
                step(conn)
