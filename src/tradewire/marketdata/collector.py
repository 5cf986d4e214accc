"""The collector service: a background loop that collects every watchlist ticker on a schedule.

Start, stop, restart and status; stopping cancels the loop and returns within a second. A
failing ticker or provider is counted and logged, never allowed to end the loop. The status is
also written to ``data/collector_status.json`` for the seed's consumers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson
import structlog

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, iso_utc
from tradewire.core.events import CollectionCycle
from tradewire.marketdata.ratelimit import SlidingWindowLimiter
from tradewire.marketdata.service import MarketDataService
from tradewire.marketdata.watchlist import Watchlist

log = structlog.get_logger(__name__)
NS = 1_000_000_000

#: Called after each ticker of a cycle with (done, total): drives the CLI's progress bar.
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Counters:
    """What the collector has done since the process started."""

    cycles: int = 0
    successes: int = 0
    errors: int = 0
    last_error: str | None = None


class Collector:
    """Collect the watchlist every ``interval_s`` seconds in the background."""

    def __init__(
        self,
        service: MarketDataService,
        watchlist: Watchlist,
        clock: Clock,
        *,
        interval_s: float,
        status_path: Path,
        bus: MessageBus | None = None,
        concurrency: int = 8,
        budgets: Mapping[str, SlidingWindowLimiter] | None = None,
        auto_start: bool = False,
        closers: tuple[Callable[[], Awaitable[None]], ...] = (),
    ) -> None:
        self.service = service
        self.watchlist = watchlist
        self.interval_s = interval_s
        self._clock = clock
        self._status_path = status_path
        self._bus = bus
        self._concurrency = concurrency
        self._budgets = dict(budgets or {})
        self._auto_start = auto_start
        self._closers = closers
        self._task: asyncio.Task[None] | None = None
        self._cycle_lock = asyncio.Lock()
        self._status_lock = asyncio.Lock()
        self.counters = Counters()
        self.last_run_ns: int | None = None
        self.next_run_ns: int | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def open(self) -> None:
        """Load the watchlist (restoring protected tickers); start if configured to."""
        await self.watchlist.load()
        if self._auto_start:
            await self.start()

    async def close(self) -> None:
        """Stop the loop and release the providers and the cache."""
        await self.stop()
        for close in self._closers:
            with contextlib.suppress(Exception):
                await close()

    async def start(self) -> bool:
        """Start the loop (first cycle at once); False if it was already running."""
        if self.running:
            return False
        self.next_run_ns = self._clock.now_ns()
        self._task = asyncio.create_task(self._loop(), name="market-data-collector")
        await self.write_status()
        return True

    async def stop(self) -> bool:
        """Stop the loop, cancelling any cycle in progress; False if it was not running."""
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self.next_run_ns = None
        await self.write_status()
        return True

    async def restart(self) -> None:
        """Stop, then start again."""
        await self.stop()
        await self.start()

    async def run_once(self, progress: Progress | None = None) -> CollectionCycle:
        """Collect every watchlist ticker once; errors are counted, never raised."""
        async with self._cycle_lock:
            tickers = self.watchlist.tickers
            started, began = self._clock.now_ns(), time.perf_counter()
            calls_before = self._calls()
            semaphore = asyncio.Semaphore(self._concurrency)
            done = 0
            outcomes: list[bool] = []

            async def one(ticker: str) -> None:
                nonlocal done
                async with semaphore:
                    outcomes.append(await self._collect(ticker))
                done += 1
                if progress:
                    progress(done, len(tickers))

            await asyncio.gather(*(one(t) for t in tickers))
            cycle = CollectionCycle(
                tickers=len(tickers),
                succeeded=sum(outcomes),
                failed=len(outcomes) - sum(outcomes),
                api_calls=self._calls() - calls_before,
                duration_s=round(time.perf_counter() - began, 3),
                ts_event=started,
                ts_init=self._clock.now_ns(),
            )
            self.counters.cycles += 1
            self.last_run_ns = started
            if self._bus:
                await self._bus.publish(cycle)
            log.info("collection cycle done", **{k: getattr(cycle, k) for k in _CYCLE_LOG})
            return cycle

    async def status(self) -> dict[str, object]:
        """Return the seed's status fields plus counters, call budgets and source health."""
        cache = await self.service.cache.status()
        return {
            "running": self.running,
            "last_run": iso_utc(self.last_run_ns) if self.last_run_ns else None,
            "next_run": iso_utc(self.next_run_ns) if self.next_run_ns and self.running else None,
            "interval_s": self.interval_s,
            "tickers_tracked": len(self.watchlist.tickers),
            "cache_entries": cache.entries,
            "cache_bytes": cache.bytes,
            "watchlist": list(self.watchlist.tickers),
            "protected": list(self.watchlist.protected),
            "cycles": self.counters.cycles,
            "success_count": self.counters.successes,
            "error_count": self.counters.errors,
            "last_error": self.counters.last_error,
            "api_calls": {
                name: {
                    "used": limiter.used(),
                    "limit": limiter.limit,
                    "window_s": limiter.window,
                    "total": limiter.calls,
                }
                for name, limiter in self._budgets.items()
            },
            "sources": [h.as_dict() for h in self.service.failover.health()],
        }

    async def write_status(self) -> None:
        """Write the status atomically to the status file."""
        # One writer at a time, status taken inside: the file ends with the newest status,
        # never an older one that finished writing later.
        async with self._status_lock:
            body = orjson.dumps(
                {**await self.status(), "updated_at": iso_utc(self._clock.now_ns())},
                option=orjson.OPT_INDENT_2,
            )
            await asyncio.to_thread(_atomic_write, self._status_path, body)

    async def read_status_file(self) -> dict[str, object]:
        """The status file's content, written afresh if it is missing or damaged."""
        try:
            return orjson.loads(await asyncio.to_thread(self._status_path.read_bytes))
        except (OSError, orjson.JSONDecodeError):
            # Not written yet (collector never started) or damaged by hand.
            await self.write_status()
            return orjson.loads(await asyncio.to_thread(self._status_path.read_bytes))

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # the loop must outlive any failure
                self.counters.errors += 1
                self.counters.last_error = str(exc)
                log.exception("collection cycle failed")
            self.next_run_ns = self._clock.now_ns() + int(self.interval_s * NS)
            try:
                await self.write_status()
            except Exception as exc:  # a full disk or an unreachable cache must not stop us
                log.warning("collector status file not written", error=str(exc))
            await asyncio.sleep(self.interval_s)

    async def _collect(self, ticker: str) -> bool:
        try:
            snapshot = await self.service.collect(ticker)
        except Exception as exc:  # one ticker's failure must not stop the others
            self.counters.errors += 1
            self.counters.last_error = f"{ticker}: {exc}"
            log.warning("collection failed", ticker=ticker, error=str(exc))
            return False
        self.counters.successes += 1
        if self._bus:
            await self._bus.publish(snapshot)
        return True

    def _calls(self) -> int:
        return sum(p.calls for p in self.service.failover.providers)


_CYCLE_LOG = ("tickers", "succeeded", "failed", "api_calls", "duration_s")


def _atomic_write(path: Path, body: bytes) -> None:
    """Replace ``path`` with ``body``: readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per write, beside the target so the rename stays on one filesystem.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            os.fchmod(handle.fileno(), 0o644)  # readable by the seed's consumers, as before
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
