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
import contextlib
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
#: What became of one batch: None (committed) or how to make its caller's error.
Outcome = ErrorFn | None


@dataclass(slots=True)
class _Tick:
    """The batches one turn of an event loop wrote, settled with one wake-up of that loop."""

    loop: asyncio.AbstractEventLoop
    items: list[tuple[WriteBatch, asyncio.Future[None]]]


class GroupCommitWriter:
    """Serialise writes through one thread, committing whatever is queued in one transaction."""

    def __init__(self, engine: Engine, *, max_batch_rows: int = 50_000, name: str = "db-writer"):
        self._engine = engine
        self._max_rows = max_batch_rows
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        #: Batches written in the current turn of the loop, not yet handed to the thread.
        self._outbox: _Tick | None = None
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
            self._hand_over()
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
        """Queue ``batch`` and wait until it is committed.

        The writes of one turn of the event loop go to the thread together and are settled
        with one wake-up of the loop — one signal fanned out to 1,000 accounts makes 1,000 at
        once — yet each is its own item: committed, or failed, on its own.
        """
        if not self._started:
            raise RuntimeError("writer is not running")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        if self._outbox is not None and self._outbox.loop is not loop:
            self._hand_over()  # another loop's turn (tests run several): settled on its own
        if self._outbox is None:
            self._outbox = _Tick(loop, [])
            loop.call_soon(self._hand_over)
        self._outbox.items.append((batch, waiter))
        self.pending += 1
        await waiter

    def _hand_over(self) -> None:
        tick, self._outbox = self._outbox, None
        if tick is not None:
            self._queue.put(tick)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            entries = [first]
            rows = self._rows(first)
            while rows < self._max_rows:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stopping = True
                    break
                entries.append(nxt)
                rows += self._rows(nxt)
            self._write(entries)

    @staticmethod
    def _batches(entry: _Tick | tuple[WriteBatch, Future[None]]) -> list[WriteBatch]:
        if isinstance(entry, _Tick):
            return [batch for batch, _ in entry.items]
        return [entry[0]]

    def _rows(self, entry: _Tick | tuple[WriteBatch, Future[None]]) -> int:
        return sum(len(batch) for batch in self._batches(entry))

    def _write(self, entries: list) -> None:
        batches = [batch for entry in entries for batch in self._batches(entry)]
        outcomes = iter(self._commit(batches))
        for entry in entries:
            if isinstance(entry, _Tick):
                results = [next(outcomes) for _ in entry.items]
                self.pending -= len(results)
                with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits
                    entry.loop.call_soon_threadsafe(_settle_tick, entry.items, results)
            else:
                self.pending -= 1
                _settle_future(entry[1], next(outcomes))

    def _commit(self, batches: list[WriteBatch]) -> list[Outcome]:
        """Commit ``batches`` in one transaction; return each one's outcome."""
        started = time.perf_counter()
        try:
            with self._engine.begin() as conn:
                self._apply(conn, batches)
        except Exception as exc:
            if unavailable(exc):
                # Nothing can be written now: retrying item by item would only fail each again.
                self.failure = reason(exc)
                log.warning("database write failed", error=self.failure)
                return [retryable_error] * len(batches)
            if len(batches) == 1:
                log.exception("database write failed")
                return [_write_failed]
            # Isolate the bad item: retry each on its own.
            return [outcome for batch in batches for outcome in self._commit([batch])]
        written = sum(len(batch) for batch in batches)
        self.commits += 1
        self.rows_written += written
        self.last_commit_ms = (time.perf_counter() - started) * 1000
        if written:
            self.failure = None
        return [None] * len(batches)

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


def _write_failed() -> BaseException:
    return RuntimeError("database write failed")


def _settle_future(future: Future[None], outcome: Outcome) -> None:
    if future.cancelled():
        return  # its caller gave up waiting (shutdown); the outcome has no reader
    if outcome is None:
        future.set_result(None)
    else:
        future.set_exception(outcome())


def _settle_tick(
    items: list[tuple[WriteBatch, asyncio.Future[None]]], outcomes: list[Outcome]
) -> None:
    for (_batch, waiter), outcome in zip(items, outcomes, strict=True):
        if waiter.done():
            continue  # cancelled: its caller gave up waiting
        if outcome is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(outcome())
