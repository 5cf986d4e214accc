"""The trade-tape service: intake, duplicate suppression, durable storage, live buffer, candles.

:meth:`TapeService.ingest` returns only after the batch's new rows are committed (the store's
group commit makes that well under a second), so a source that acknowledges after it never
acknowledges a print that could be lost. A row reported as a duplicate of a row still being
written waits for that write too. Identity of rows: see :mod:`tradewire.tape.normalise`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter

import structlog

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.core.errors import RetryableError
from tradewire.core.events import (
    ScraperConfigChanged,
    TapeBatch,
    TapeCandle,
    TapeStored,
    TapeTrade,
)
from tradewire.tape.candles import CandleBuilder, build_candles
from tradewire.tape.config import ScraperSettings
from tradewire.tape.memory import LiveBuffer, RecentIds
from tradewire.tape.normalise import Normaliser, batch_symbol
from tradewire.tape.ports import PRINT_FIELDS, StoreStats, TapeStore, TradeQuery

log = structlog.get_logger(__name__)
DAY_NS = 86_400 * 1_000_000_000
_ACCUMULATED = attrgetter("accumulated_volume")
_TIME_ORDER = attrgetter("ts_ns", "accumulated_volume")
_PRINT = attrgetter(*PRINT_FIELDS)


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """Why one row of a batch was not stored: ``duplicate`` or ``rejected``."""

    index: int
    status: str
    reason: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What became of a batch: counts, and a reason for every row not stored."""

    accepted: int
    duplicates: int
    rejected: int
    symbol: str | None
    rows: tuple[RowOutcome, ...] = ()

    def to_wire(self) -> dict[str, object]:
        return {
            "success": True,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "symbol": self.symbol,
            "rows": [
                {"index": r.index, "status": r.status, "reason": r.reason, "id": r.id}
                for r in self.rows
            ],
        }


@dataclass(frozen=True, slots=True)
class PersistResult:
    """What a flush found queued and wrote."""

    flushed: int
    pending: int
    took_ms: float


class TapeService:
    """Accept tape batches, store new prints durably, serve the newest, build candles."""

    def __init__(
        self,
        *,
        store: TapeStore,
        bus: MessageBus,
        clock: Clock,
        normaliser: Normaliser,
        config: ScraperSettings,
        dedupe_window_s: float,
        retention_interval_s: float,
    ) -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._normaliser = normaliser
        self.config = config
        self._recent = RecentIds(int(dedupe_window_s * 1e9))
        self.buffer = LiveBuffer(config.buffer_size)
        self._candles = CandleBuilder(60)
        self._inflight: dict[str, asyncio.Future[None]] = {}
        self._pending_rows = 0
        self._pending_since: list[int] = []
        self._retention_interval = retention_interval_s
        self._retention_task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self.running = False
        self.last_capture_ns: int | None = None
        self.last_commit_ms = 0.0
        self.totals = {"accepted": 0, "duplicates": 0, "rejected": 0}

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the persisted config, warm duplicate memory and the buffer, start retention."""
        stored = await asyncio.to_thread(self._store.load_config)
        if stored is not None:
            self.config = stored
            self.buffer.resize(stored.buffer_size)
        self._recent.advance(self._clock.now_ns())
        warm = await asyncio.to_thread(self._store.ids_since, self._recent.horizon_ns)
        self._recent.add(warm)
        latest = await asyncio.to_thread(self._store.latest, self.config.buffer_size)
        self.buffer.extend(reversed(latest))
        self._bus.handle(TapeBatch, self._on_batch)
        self._stopping = asyncio.Event()
        self._retention_task = asyncio.create_task(self._retention_loop(), name="tape-retention")
        self.running = True
        log.info("tape service started", warmed_ids=len(warm), buffered=len(latest))

    async def stop(self) -> None:
        """Stop retention and intake from the bus; writes in flight finish in the writer."""
        self.running = False
        self._bus.unhandle(TapeBatch)
        if self._retention_task is not None:
            # Not cancelled: a clean running in a worker thread would outlive the cancellation
            # and use the database after it is closed. It ends at its next check instead.
            self._stopping.set()
            await self._retention_task
            self._retention_task = None

    async def _on_batch(self, batch: TapeBatch) -> IngestResult:
        """Bus handler of :class:`TapeBatch`: its failure (nothing stored) reaches the sender."""
        result = await self.ingest(batch)
        if result.rejected:
            log.warning(
                "tape rows rejected",
                account=batch.account,
                rejected=result.rejected,
                first_reason=next(r.reason for r in result.rows if r.status == "rejected"),
            )
        return result

    # --- intake ------------------------------------------------------------------------------

    async def ingest(self, batch: TapeBatch) -> IngestResult:
        """Store the batch's new prints; return once they are durable, with per-row outcomes.

        Raise RetryableError if the store could not commit (nothing was acknowledged).
        """
        now = self._clock.now_ns()
        self.last_capture_ns = now
        firsts, index_of, outcomes = self._screen(batch, now)
        new, waits, dup_ids = await self._classify(firsts)
        outcomes += [RowOutcome(index_of[i], "duplicate", "already stored", i) for i in dup_ids]
        if new:
            await self._write(new, now)
        if waits:
            results = await asyncio.gather(*waits, return_exceptions=True)
            if any(isinstance(r, BaseException) for r in results):
                raise RetryableError("tape store unavailable; resend the batch", retry_after=1)
        result = IngestResult(
            accepted=len(new),
            duplicates=sum(1 for r in outcomes if r.status == "duplicate"),
            rejected=sum(1 for r in outcomes if r.status == "rejected"),
            symbol=batch_symbol(batch),
            rows=tuple(sorted(outcomes, key=lambda r: r.index)),
        )
        self.totals["accepted"] += result.accepted
        self.totals["duplicates"] += result.duplicates
        self.totals["rejected"] += result.rejected
        if new:
            await self._publish(new, now)
        return result

    def _screen(
        self, batch: TapeBatch, now: int
    ) -> tuple[list[TapeTrade], dict[str, int], list[RowOutcome]]:
        """Normalise; set aside rejected, expired and in-batch repeated rows.

        Return the first copy of each print, the source index of each by id, and the outcomes
        of the rows set aside.
        """
        normalised = self._normaliser.normalise(batch)
        origin = _original_indexes(len(batch.prints), batch.rejected)
        outcomes = [RowOutcome(i, "rejected", reason) for i, reason in batch.rejected]
        outcomes += [RowOutcome(origin[i], "rejected", r) for i, r in normalised.rejected]
        source_index = _trade_indexes(origin, normalised.rejected)
        # A print already past retention would be deleted right after being acknowledged.
        cutoff = retention_cutoff(now, self.config.days_to_keep)
        expired = f"older than days_to_keep ({self.config.days_to_keep} days)"
        firsts: list[TapeTrade] = []
        index_of: dict[str, int] = {}
        for trade, index in zip(normalised.trades, source_index, strict=True):
            if trade.ts_ns < cutoff:
                outcomes.append(RowOutcome(index, "rejected", expired))
            elif trade.id in index_of:
                outcomes.append(RowOutcome(index, "duplicate", "repeated in batch", trade.id))
            else:
                index_of[trade.id] = index
                firsts.append(trade)
        return firsts, index_of, outcomes

    async def _classify(
        self, trades: list[TapeTrade]
    ) -> tuple[list[TapeTrade], list[asyncio.Future[None]], list[str]]:
        """Split into new rows, futures of in-flight copies to wait for, and stored ids."""
        self._recent.advance(self._clock.now_ns())
        unknown = [t for t in trades if not self._recent.covers(t.ts_ns)]
        stored: set[str] = set()
        if unknown:
            try:
                stored = await asyncio.to_thread(self._store.existing_ids, [t.id for t in unknown])
            except Exception as exc:
                raise RetryableError("tape store unavailable; resend the batch", 1) from exc
        new: list[TapeTrade] = []
        waits: list[asyncio.Future[None]] = []
        dups: list[str] = []
        # No await between these checks and registering the new rows as in flight, so two
        # concurrent batches can never both write one print.
        for trade in trades:
            pending = self._inflight.get(trade.id)
            if pending is not None:
                waits.append(pending)
                dups.append(trade.id)
            elif trade.id in stored or trade.id in self._recent:
                dups.append(trade.id)
            else:
                new.append(trade)
        return new, waits, dups

    async def _write(self, new: list[TapeTrade], now: int) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for trade in new:
            self._inflight[trade.id] = done
        self._pending_rows += len(new)
        self._pending_since.append(now)
        try:
            await self._store.add(new)
        except Exception as exc:
            done.set_exception(exc)
            done.exception()  # retrieved: waiters get it via gather, nobody else must log it
            raise RetryableError("tape store unavailable; resend the batch", retry_after=1) from exc
        else:
            self._recent.add((t.id, t.ts_ns) for t in new)
            done.set_result(None)
        finally:
            self._pending_rows -= len(new)
            self._pending_since.remove(now)
            self.last_commit_ms = (self._clock.now_ns() - now) / 1e6
            for trade in new:
                self._inflight.pop(trade.id, None)

    async def _publish(self, new: list[TapeTrade], now: int) -> None:
        # Keys built in C (attrgetter) when every print has its accumulated volume, the usual
        # case; a Python key per print was a visible share of the intake's time.
        if None in map(_ACCUMULATED, new):
            ordered = sorted(new, key=lambda t: (t.ts_ns, t.accumulated_volume or 0.0))
        else:
            ordered = sorted(new, key=_TIME_ORDER)
        self.buffer.extend(ordered)
        await self._bus.publish(TapeStored(ts_event=now, ts_init=now, trades=tuple(ordered)))
        for candle in self._candles.add(map(_PRINT, ordered), now):
            await self._bus.publish(candle)

    # --- operations --------------------------------------------------------------------------

    async def persist(self) -> PersistResult:
        """Wait until everything queued so far is committed; report how much that was."""
        before = self._pending_rows
        started = self._clock.now_ns()
        await self._store.barrier()
        took = (self._clock.now_ns() - started) / 1e6
        return PersistResult(flushed=before, pending=self._pending_rows, took_ms=took)

    @property
    def persist_lag_ms(self) -> float:
        """Age of the oldest write not yet committed (0 when nothing is waiting)."""
        if not self._pending_since:
            return 0.0
        return (self._clock.now_ns() - min(self._pending_since)) / 1e6

    @property
    def pending_rows(self) -> int:
        return self._pending_rows

    def rows(self, query: TradeQuery) -> Iterator[list[tuple]]:
        """Stored rows matching ``query`` in time order, in chunks (``ROW_FIELDS`` tuples)."""
        return self._store.iter_rows(query)

    def count(self, query: TradeQuery) -> int:
        """How many stored rows match ``query``."""
        return self._store.count(query)

    def stats(self) -> StoreStats:
        """Store totals, with "since" meaning since midnight UTC today."""
        return self._store.stats(start_of_day_ns(self._clock.now_ns()))

    def candles(
        self, symbol: str, interval_s: int, since_ns: int | None, until_ns: int | None
    ) -> list[TapeCandle]:
        """Closed candles of ``symbol`` built from the store (late prints included)."""
        query = TradeQuery(symbol=symbol, since_ns=since_ns, until_ns=until_ns)
        prints = (row for chunk in self._store.iter_rows(query, PRINT_FIELDS) for row in chunk)
        return build_candles(prints, interval_s, self._clock.now_ns())

    async def set_config(self, config: ScraperSettings) -> list[str]:
        """Persist ``config``, apply it, announce it on the bus; return the changed names."""
        changed = [
            name
            for name in ScraperSettings.model_fields
            if getattr(config, name) != getattr(self.config, name)
        ]
        if not changed:
            return []
        now = self._clock.now_ns()
        await asyncio.to_thread(self._store.save_config, config, now)
        self.config = config
        self.buffer.resize(config.buffer_size)
        await self._bus.publish(
            ScraperConfigChanged(ts_event=now, ts_init=now, **config.model_dump())
        )
        return changed

    async def clean(self, days_to_keep: int | None = None) -> int:
        """Delete rows older than ``days_to_keep`` (default: the config's); return how many."""
        days = days_to_keep if days_to_keep is not None else self.config.days_to_keep
        return await asyncio.to_thread(
            self._store.delete_before, retention_cutoff(self._clock.now_ns(), days)
        )

    async def _retention_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                deleted = await self.clean()
                if deleted:
                    log.info("tape retention", deleted=deleted, days=self.config.days_to_keep)
            except Exception:
                log.exception("tape retention failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._retention_interval)


def retention_cutoff(now_ns: int, days_to_keep: int) -> int:
    """Rows with ``ts`` before this are past retention."""
    return now_ns - days_to_keep * DAY_NS


def start_of_day_ns(now_ns: int) -> int:
    """Midnight UTC of the day containing ``now_ns``."""
    day = datetime.fromtimestamp(now_ns / 1e9, UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return int(day.timestamp()) * 1_000_000_000


def _original_indexes(n_prints: int, rejected: tuple[tuple[int, str], ...]) -> list[int]:
    """Map each print's position to its index in the source message (decode dropped rows)."""
    skipped = {i for i, _ in rejected}
    out: list[int] = []
    index = 0
    while len(out) < n_prints:
        if index not in skipped:
            out.append(index)
        index += 1
    return out


def _trade_indexes(origin: list[int], rejected: tuple[tuple[int, str], ...]) -> list[int]:
    """Map each normalised trade's position to its source index."""
    dropped = {i for i, _ in rejected}
    return [origin[i] for i in range(len(origin)) if i not in dropped]
