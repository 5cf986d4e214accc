"""Real-time threads and custom slices on real threads of this machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

import pytest

from tests.support.processes import (
    REALTIME_PERMITTED,
    ended_thread,
    in_new_thread,
    policy,
    thread_scheduling,
)
from tests.support.processes import SLICES_SUPPORTED as SUPPORTED
from tradewire.core.scheduling import (
    REALTIME,
    SLICE,
    hasten,
    request_realtime,
    request_slice,
    restore,
    scheduling,
    thread_slice,
)


def test_a_thread_gets_the_slice_it_asks_for_and_others_keep_theirs():
    before = thread_slice()

    def ask() -> tuple[bool, int | None, int | None]:
        return request_slice(0, 150_000), thread_slice(), thread_slice(threading.get_native_id())

    taken, own, by_id = in_new_thread(ask)
    # The asking thread changed; this one kept whatever it had.
    assert taken is SUPPORTED
    if SUPPORTED:
        assert own == by_id == 150_000
        assert thread_slice() == before


@pytest.mark.skipif(not SUPPORTED, reason="the kernel has no custom slices")
def test_only_the_slice_changes_not_nice_or_policy():
    def ask() -> tuple[bool, int, int, int | None]:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 7)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        taken = request_slice(0, 2_000_000)
        nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        policy = os.sched_getscheduler(0) & ~os.SCHED_RESET_ON_FORK
        return taken, nice, policy, thread_slice()

    assert in_new_thread(ask) == (True, 7, os.SCHED_BATCH, 2_000_000)


def test_a_thread_that_is_gone_is_refused_without_an_error():
    gone = ended_thread()
    assert request_slice(gone, 100_000) is False
    assert request_realtime(gone, 10) is False
    assert thread_slice(gone) is None
    assert scheduling(gone) is None


@pytest.mark.parametrize("slice_ns", [0, 99_999, 100_000_001])
def test_a_slice_outside_the_kernels_range_is_a_caller_error(slice_ns):
    with pytest.raises(ValueError, match="slice must be"):
        request_slice(0, slice_ns)


@pytest.mark.skipif(not SUPPORTED, reason="the kernel has no custom slices")
def test_threads_and_processes_started_later_get_the_default_slice():
    default = in_new_thread(thread_slice)

    def ask_then_start() -> tuple[int | None, int | None, str]:
        request_slice(0, 100_000)
        child = in_new_thread(thread_slice)
        code = "from tradewire.core.scheduling import thread_slice; print(thread_slice())"
        process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return thread_slice(), child, process.stdout.strip()

    assert in_new_thread(ask_then_start) == (100_000, default, str(default))


@pytest.mark.skipif(not REALTIME_PERMITTED, reason="this process may not run threads real-time")
def test_a_thread_runs_realtime_and_what_it_starts_later_does_not():
    def ask_then_start() -> tuple[bool, int, int, int, str]:
        taken = request_realtime(0, 10)
        child = in_new_thread(policy)
        code = "import os; print(os.sched_getscheduler(0))"
        process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return taken, policy(), os.sched_getparam(0).sched_priority, child, process.stdout.strip()

    other = os.SCHED_OTHER
    assert in_new_thread(ask_then_start) == (True, os.SCHED_FIFO, 10, other, str(other))
    assert policy() == other  # the asking thread changed, this one did not


@pytest.mark.skipif(
    not (REALTIME_PERMITTED and shutil.which("setpriv")),
    reason="needs CAP_SYS_NICE to start a process without it (setpriv)",
)
def test_without_the_privilege_realtime_is_refused_quietly():
    code = (
        "import os; from tradewire.core.scheduling import request_realtime; "
        "print(request_realtime(0, 10), os.sched_getscheduler(0))"
    )
    process = subprocess.run(
        ["setpriv", "--bounding-set=-sys_nice", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert process.stdout.split() == ["False", str(os.SCHED_OTHER)]


@pytest.mark.skipif(not REALTIME_PERMITTED, reason="this process may not run threads real-time")
def test_restore_puts_back_policy_nice_and_slice():
    def round_trip() -> tuple[tuple, tuple, tuple]:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 3)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        saved, before = scheduling(), thread_scheduling()
        assert saved is not None and request_realtime(0, 20)
        during = thread_scheduling()
        assert restore(0, saved)
        return before, during, thread_scheduling()

    before, during, after = in_new_thread(round_trip)
    assert during[:2] == (os.SCHED_FIFO, 20)
    assert after == before and before[:3] == (os.SCHED_BATCH, 0, 3)


@pytest.mark.parametrize("priority", [0, 100])
def test_a_priority_outside_the_kernels_range_is_a_caller_error(priority):
    with pytest.raises(ValueError, match="priority must be"):
        request_realtime(0, priority)


@pytest.mark.skipif(not REALTIME_PERMITTED, reason="this process may not run threads real-time")
def test_a_thread_already_realtime_keeps_the_priority_it_was_given():
    def ask() -> tuple[bool, int, int]:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(30))
        return request_realtime(0, 10), policy(), os.sched_getparam(0).sched_priority

    assert in_new_thread(ask) == (True, os.SCHED_RR, 30)


@pytest.mark.parametrize(
    ("priority", "slice_us", "cpus"),
    [(0, 0, 0), (10, 0, 0), (0, 100, 0), (10, 100, 0), (10, 100, 1)],
)
def test_hasten_runs_realtime_where_it_may_else_takes_the_slice(priority, slice_us, cpus):
    """Real-time only where permitted and on two CPUs or more; the slice where real-time is not
    asked for or not taken; nothing where neither is asked for."""

    def ask() -> tuple[str | None, bool, int, int | None]:
        if cpus:
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cpus])
        several = len(os.sched_getaffinity(0)) > 1
        return hasten(0, priority, slice_us), several, policy(), thread_slice()

    how, several, own_policy, own_slice = in_new_thread(ask)
    if priority and several and REALTIME_PERMITTED:
        assert (how, own_policy) == (REALTIME, os.SCHED_FIFO)
    elif slice_us and SUPPORTED:
        assert (how, own_policy, own_slice) == (SLICE, os.SCHED_OTHER, slice_us * 1000)
    else:
        assert (how, own_policy) == (None, os.SCHED_OTHER)
