"""Prometheus metrics over the services' own counters (the domain packages know no Prometheus)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from tradewire.capture.webhook import WebhookGuard
from tradewire.signals.hub import SignalHub
from tradewire.signals.latency import STAGES, StageObserver
from tradewire.storage.writer import GroupCommitWriter
from tradewire.tape.service import TapeService

_BUCKETS_S = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def latency_histogram(registry: CollectorRegistry) -> StageObserver:
    """An observer that feeds each signal stage's samples into one labelled histogram."""
    histogram = Histogram(
        "tradewire_signal_stage_seconds",
        "Latency of each signal pipeline stage",
        ["stage"],
        buckets=_BUCKETS_S,
        registry=registry,
    )
    children = {stage: histogram.labels(stage) for stage in STAGES}

    def observe(stage: str, seconds: float) -> None:
        children[stage].observe(seconds)

    return observe


def hub_and_writer_gauges(
    registry: CollectorRegistry, hub: SignalHub, writer: GroupCommitWriter
) -> None:
    """Subscribers, direct writes, slow drops and the writer's queue."""
    Gauge(
        "tradewire_ws_subscribers", "Connected WebSocket subscribers", registry=registry
    ).set_function(lambda: hub.subscriber_count)
    Gauge(
        "tradewire_ws_written_at_once",
        "Signals written straight to an idle subscriber's socket (the rest were queued)",
        registry=registry,
    ).set_function(lambda: hub.written_at_once)
    Gauge(
        "tradewire_ws_dropped_slow", "Subscribers closed for not reading", registry=registry
    ).set_function(lambda: hub.dropped_slow)
    Gauge(
        "tradewire_db_writes_pending", "Writes queued for the database", registry=registry
    ).set_function(lambda: writer.pending)


def tape_gauges(registry: CollectorRegistry, service: TapeService) -> None:
    """Rows by outcome since start, and the age of the oldest uncommitted write."""
    gauge = Gauge(
        "tradewire_tape_rows", "Tape rows since start by outcome", ["outcome"], registry=registry
    )
    for outcome in service.totals:
        gauge.labels(outcome).set_function(lambda o=outcome: service.totals[o])
    Gauge(
        "tradewire_tape_persist_lag_ms",
        "Age of the oldest uncommitted tape write",
        registry=registry,
    ).set_function(lambda: service.persist_lag_ms)


class _WebhookAuthCounters(Collector):
    """The guard's own counts, read at each scrape."""

    def __init__(self, guard: WebhookGuard) -> None:
        self._guard = guard

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "tradewire_webhook_auth_failures",
            "Webhook requests refused for a wrong or missing secret",
            value=self._guard.auth_failures,
        )
        yield CounterMetricFamily(
            "tradewire_webhook_auth_throttled",
            "Of those, the ones answered 429 (their address was past its budget)",
            value=self._guard.auth_throttled,
        )


def webhook_auth_counters(registry: CollectorRegistry, guard: WebhookGuard) -> None:
    """Wrong or missing webhook secrets, and how many of them were throttled."""
    registry.register(_WebhookAuthCounters(guard))
