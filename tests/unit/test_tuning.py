"""Tuning while serving: nothing by default; opted in, each knob holds until serving stops."""

from __future__ import annotations

import asyncio
import gc
import os
import sys

import pytest

from tests.support.processes import REALTIME_PERMITTED, in_new_thread, thread_scheduling
from tests.support.processes import SLICES_SUPPORTED as SUPPORTED
from tests.support.services import free_port
from tradewire.server import serve
from tradewire.settings import Settings, TuningSettings

#: Where the loop's thread may run real-time: permitted, and not alone on one CPU.
REALTIME = REALTIME_PERMITTED and len(os.sched_getaffinity(0)) > 1


def process_state() -> tuple[object, ...]:
    """All that tuning may change: the switch interval, the collector's thresholds and frozen
    objects, and the calling thread's policy, real-time priority, nice and slice."""
    return sys.getswitchinterval(), gc.get_threshold(), gc.get_freeze_count(), thread_scheduling()


def serve_and_look(tmp_path, tuning: TuningSettings) -> tuple[tuple[object, ...], ...]:
    """Serve with ``tuning`` on a fresh thread (the loop's) until a companion has looked; return
    that thread's state before, while serving and after."""
    settings = Settings(
        data_dir=tmp_path,
        port=free_port(),
        jwt_secret="test-secret-" + "x" * 32,
        tuning=tuning,
        _env_file=None,
    )
    seen: list[tuple[object, ...]] = []

    async def look(_container, _base_url) -> None:
        seen.append(process_state())

    def run() -> tuple[tuple[object, ...], ...]:
        before = process_state()
        asyncio.run(serve(settings, (look,)))
        return before, seen[0], process_state()

    return in_new_thread(run)


def test_by_default_serving_changes_nothing(tmp_path):
    before, serving, after = serve_and_look(tmp_path, TuningSettings())
    assert before == serving == after


def test_opted_in_every_knob_holds_while_serving_and_is_given_back(tmp_path):
    tuning = TuningSettings(
        realtime_priority=10,
        wakeup_slice_us=100,
        switch_interval_ms=0.5,
        gc_freeze=True,
        gc_thresholds=(100_000, 50, 100),
    )
    before, serving, after = serve_and_look(tmp_path, tuning)
    switch, thresholds, frozen, scheduling = serving
    assert (switch, thresholds) == (0.0005, (100_000, 50, 100))
    assert frozen > before[2]
    if REALTIME:
        assert scheduling[:2] == (os.SCHED_FIFO, 10)
    elif SUPPORTED:
        assert scheduling[0] == before[3][0] and scheduling[3] == 100_000
    else:
        assert scheduling == before[3]
    assert scheduling[2] == before[3][2]  # nice is the thread's own throughout
    assert after == before


@pytest.mark.skipif(not SUPPORTED, reason="the kernel has no custom slices")
def test_a_slice_alone_changes_only_the_loop_threads_slice(tmp_path):
    before, serving, after = serve_and_look(tmp_path, TuningSettings(wakeup_slice_us=200))
    assert serving[:3] == before[:3]
    assert serving[3] == (*before[3][:3], 200_000)
    assert after == before
