"""Per-stage latency of every signal: rolling percentiles, an observer per sample (the
composition root feeds Prometheus histograms from it), slow-signal warnings.

Stages (all measured from the same monotonic-ish wall clock, in milliseconds):

* ``captureLatency``      received → parsed and checked for duplicates
* ``processingLatency``   parsed → handed to every sink on the bus
* ``distributionLatency`` handed to the hub → sent to the last subscriber
* ``storageLatency``      received → committed to the database
* ``firstSendLatency``    received → sent to the first subscriber
* ``totalLatency``        received → sent to the last subscriber (or published, with none)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import structlog

log = structlog.get_logger(__name__)

STAGES = (
    "captureLatency",
    "processingLatency",
    "distributionLatency",
    "storageLatency",
    "firstSendLatency",
    "totalLatency",
)
#: Called with a stage's name and one sample of it in seconds.
StageObserver = Callable[[str, float], None]


@dataclass(slots=True)
class SignalTiming:
    """Timestamps (epoch ns) of one signal passing through the stages."""

    signal_id: str
    received_ns: int
    parsed_ns: int
    published_ns: int = 0
    stored_ns: int = 0
    first_send_ns: int = 0
    last_send_ns: int = 0


class LatencyTracker:
    """Keep the last ``window`` samples per stage and hand each sample to ``observe``."""

    def __init__(
        self, window: int = 1000, warn_ms: float = 100.0, observe: StageObserver | None = None
    ) -> None:
        self._samples = {stage: deque(maxlen=window) for stage in STAGES}
        self._warn_ms = warn_ms
        self._observer = observe
        self.slow_signals = 0

    def _observe(self, stage: str, start_ns: int, end_ns: int) -> float:
        ms = max(0, end_ns - start_ns) / 1e6
        self._samples[stage].append(ms)
        if self._observer is not None:
            self._observer(stage, ms / 1000)
        return ms

    def delivered(self, timing: SignalTiming) -> None:
        """Record a signal whose broadcast finished (or that had no subscribers)."""
        self._observe("captureLatency", timing.received_ns, timing.parsed_ns)
        self._observe("processingLatency", timing.parsed_ns, timing.published_ns)
        end = timing.published_ns
        if timing.last_send_ns:
            self._observe("distributionLatency", timing.published_ns, timing.last_send_ns)
            self._observe("firstSendLatency", timing.received_ns, timing.first_send_ns)
            end = timing.last_send_ns
        total = self._observe("totalLatency", timing.received_ns, end)
        if total > self._warn_ms:
            self.slow_signals += 1
            log.warning(
                "slow signal",
                signal_id=timing.signal_id,
                total_ms=round(total, 3),
                threshold_ms=self._warn_ms,
            )

    def stored(self, timing: SignalTiming) -> None:
        """Record the commit of a signal."""
        self._observe("storageLatency", timing.received_ns, timing.stored_ns)

    def stats(self) -> dict[str, dict[str, float | int | None]]:
        """Return avg/p50/p95/p99 (ms) and the sample count per stage, in the seed's shape."""
        return {stage: summarise(self._samples[stage]) for stage in STAGES}


def summarise(samples: deque[float] | list[float]) -> dict[str, float | int | None]:
    """Average and nearest-rank percentiles of ``samples``."""
    if not samples:
        return {"avg": None, "p50": None, "p95": None, "p99": None, "count": 0}
    ordered = sorted(samples)
    n = len(ordered)

    def pct(p: float) -> float:
        return round(ordered[min(n - 1, max(0, int(-(-p * n // 100)) - 1))], 3)

    return {
        "avg": round(sum(ordered) / n, 3),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "count": n,
    }
