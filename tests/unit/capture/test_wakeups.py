"""Finding a launched browser and its message threads among real processes of this machine."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import (
    REALTIME_PERMITTED,
    in_new_thread,
    policy,
    process_threads,
    thread_names,
    thread_scheduling,
)
from tests.support.processes import SLICES_SUPPORTED as SUPPORTED
from tradewire.capture.browser.wakeups import (
    PromptWakeups,
    Wakeups,
    launched_browser,
    message_threads,
)
from tradewire.core.scheduling import thread_slice

FIFO = os.SCHED_FIFO

# A stand-in browser: threads named as Chromium names them, then it waits to be killed.
FAKE_BROWSER = """
import sys, threading, time
def named(name):
    path = f"/proc/self/task/{threading.get_native_id()}/comm"
    open(path, "w").write(name)
    time.sleep(60)
for name in ("Chrome_IOThread", "Chrome_DevTools", "ThreadPoolForeg"):
    threading.Thread(target=named, args=(name,), daemon=True).start()
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def browser(tmp_path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A process started like a browser on ``tmp_path/profile`` (main process, no ``--type``)."""
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE_BROWSER, f"--user-data-dir={profile}", "--no-first-run"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield process, profile
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def test_the_browser_on_a_profile_is_found_by_its_main_process(browser, tmp_path, monkeypatch):
    process, profile = browser
    helper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; time.sleep(60)",
            "--type=renderer",
            f"--user-data-dir={profile}",
        ]
    )
    try:
        assert launched_browser(profile) == process.pid
        monkeypatch.chdir(tmp_path)
        assert launched_browser(Path("profile")) == process.pid  # a relative path is the same dir
        assert launched_browser(tmp_path / "other") is None
    finally:
        helper.kill()
        helper.wait()


def test_message_threads_are_the_main_io_and_devtools_threads(browser):
    process, _profile = browser
    threads = message_threads(process.pid)
    assert threads[0] == process.pid
    assert thread_names(process.pid, threads[1:]) == ["Chrome_DevTools", "Chrome_IOThread"]
    assert message_threads(2**22 + 1) == []  # above the kernel's largest process id


def hasten(
    profile: Path | None, *, priority: int = 0, slice_us: int = 100, cpus: int = 0
) -> tuple[Wakeups, int, int | None]:
    """A session's wake-ups taken on a fresh thread (standing in for its event loop, on ``cpus``
    CPUs if given), and that thread's policy and slice meanwhile; given back before it ends."""

    def take() -> tuple[Wakeups, int, int | None]:
        if cpus:
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cpus])
        wakeups = PromptWakeups(realtime_priority=priority, slice_us=slice_us)
        taken = wakeups.take(profile)
        own = policy(), thread_slice()
        wakeups.release()
        return taken, *own

    return in_new_thread(take)


def test_slices_cover_the_caller_and_the_browsers_message_threads(browser):
    process, profile = browser
    taken, _policy, own = hasten(profile)
    threads = message_threads(process.pid)
    others = [t for t in process_threads(process.pid) if t not in threads]
    if SUPPORTED:
        assert (taken, own) == (Wakeups(prompt=1 + len(threads)), 100_000)
        assert all(thread_slice(t) == 100_000 for t in threads)
        assert others and all(thread_slice(t) != 100_000 for t in others)
    else:
        assert taken == Wakeups()


@pytest.mark.skipif(not REALTIME_PERMITTED, reason="this process may not run threads real-time")
def test_where_permitted_the_caller_and_message_threads_run_realtime(browser):
    process, profile = browser
    taken, own, _slice = hasten(profile, priority=10)
    threads = message_threads(process.pid)
    others = [t for t in process_threads(process.pid) if t not in threads]
    assert (taken, own) == (Wakeups(prompt=1 + len(threads), realtime=1 + len(threads)), FIFO)
    assert all(policy(t) == FIFO for t in threads)
    assert others and all(policy(t) == os.SCHED_OTHER for t in others)


@pytest.mark.skipif(not REALTIME_PERMITTED, reason="this process may not run threads real-time")
def test_on_a_single_cpu_nothing_runs_realtime(browser):
    process, profile = browser
    taken, own, _slice = hasten(profile, priority=10, cpus=1)
    assert taken.realtime == 0 and own == os.SCHED_OTHER
    assert taken.prompt == (1 + len(message_threads(process.pid)) if SUPPORTED else 0)


def test_the_loop_thread_is_given_back_when_the_last_session_lets_go():
    """Two sessions on one event loop: the first to connect hastens the thread, the last to
    disconnect restores it exactly, whichever way it was hastened."""

    def sessions_come_and_go() -> list[tuple]:
        seen = thread_scheduling
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 4)
        first, second = (PromptWakeups(realtime_priority=10, slice_us=100) for _ in range(2))
        states = [seen()]
        first.take(None)
        second.take(None)
        states.append(seen())
        first.release()
        first.release()  # a second release by the same session changes nothing
        states.append(seen())
        second.release()
        states.append(seen())
        return states

    before, both, one_left, after = in_new_thread(sessions_come_and_go)
    assert both == one_left and after == before
    assert before[2] == 4  # nice is the thread's own throughout
    if REALTIME_PERMITTED:
        assert both[:2] == (FIFO, 10)
    elif SUPPORTED:
        assert both[3] == 100_000


def test_nothing_asked_and_no_browser_touch_only_what_they_say(browser):
    process, profile = browser
    assert hasten(profile, slice_us=0)[0] == Wakeups()
    assert all(thread_slice(t) != 100_000 for t in message_threads(process.pid))
    assert all(policy(t) == os.SCHED_OTHER for t in message_threads(process.pid))
    expected = Wakeups(prompt=1) if SUPPORTED else Wakeups()
    assert hasten(None)[0] == expected
    assert hasten(profile.parent / "nobody")[0] == expected
