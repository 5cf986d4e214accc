"""Latency statistics."""

from collections import deque

from prometheus_client import CollectorRegistry, generate_latest

from tradewire.bootstrap.metrics import latency_histogram
from tradewire.signals.latency import LatencyTracker, SignalTiming, summarise


def test_summarise_nearest_rank():
    stats = summarise(deque(float(i) for i in range(1, 101)))
    assert stats == {"avg": 50.5, "p50": 50.0, "p95": 95.0, "p99": 99.0, "count": 100}
    assert summarise([])["p99"] is None
    assert summarise([7.0])["p50"] == 7.0


def test_window_keeps_only_the_last_samples_and_exports_histograms():
    registry = CollectorRegistry()
    tracker = LatencyTracker(window=10, warn_ms=5, observe=latency_histogram(registry))
    for i in range(25):
        ms = 1_000_000
        tracker.delivered(
            SignalTiming(
                str(i), 0, ms, published_ns=2 * ms, first_send_ns=3 * ms, last_send_ns=(3 + i) * ms
            )
        )
    stats = tracker.stats()
    assert stats["totalLatency"]["count"] == 10
    assert stats["totalLatency"]["p99"] == 27.0
    assert tracker.slow_signals == 22  # totals of 6..27 ms exceed 5 ms
    text = generate_latest(registry).decode()
    assert 'tradewire_signal_stage_seconds_count{stage="totalLatency"} 25.0' in text
