"""Per-stage latency of every signal: rolling percentiles, Prometheus histograms, slow warnings.

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
from dataclasses import dataclass

import structlog
from prometheus_client import CollectorRegistry, Histogram

log = structlog.get_logger(__name__)

STAGES = (
    "captureLatency",
    "processingLatency",
    "distributionLatency",
    "storageLatency",
    "firstSendLatency",
    "totalLatency",
)
_BUCKETS_S = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


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
    """Keep the last ``window`` samples per stage and export histograms."""

    def __init__(self, registry: CollectorRegistry, window: int = 1000, warn_ms: float = 100.0):
        self._samples = {stage: deque(maxlen=window) for stage in STAGES}
        self._warn_ms = warn_ms
        self._histogram = Histogram(
            "tradewire_signal_stage_seconds",
            "Latency of each signal pipeline stage",
            ["stage"],
            buckets=_BUCKETS_S,
            registry=registry,
        )
        self._children = {stage: self._histogram.labels(stage) for stage in STAGES}
        self.slow_signals = 0

    def _observe(self, stage: str, start_ns: int, end_ns: int) -> float:
        ms = max(0, end_ns - start_ns) / 1e6
        self._samples[stage].append(ms)
        self._children[stage].observe(ms / 1000)
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
