"""Finding a launched browser and its message threads among real processes of this machine."""

from __future__ import annotations

import contextlib
import os
import signal
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
    WakeupPolicy,
    Wakeups,
    browser_threads,
    launched_browser,
    message_threads,
    renderers,
)
from tradewire.core.scheduling import thread_slice

FIFO = os.SCHED_FIFO
#: Whether threads hastened here run real-time: permitted, and not on a single CPU.
REALTIME = REALTIME_PERMITTED and len(os.sched_getaffinity(0)) > 1

# A stand-in browser: threads named as Chromium names them. It starts a GPU process and a renderer
# with the same named threads, one more renderer for each line it reads, and prints each child's
# process id once that child is ready.
FAKE_BROWSER = """
import subprocess, sys, threading, time
def named(name):
    path = f"/proc/self/task/{threading.get_native_id()}/comm"
    open(path, "w").write(name)
    time.sleep(60)
for name in ("Chrome_IOThread", "Chrome_DevTools", "ThreadPoolForeg", "Chrome_ChildIOT"):
    threading.Thread(target=named, args=(name,), daemon=True).start()
if any(arg.startswith("--type=") for arg in sys.argv):
    print("ready", flush=True)
    time.sleep(60)
    sys.exit()
def child(kind):
    args = [sys.executable, "-c", sys.argv[1], sys.argv[1], f"--type={kind}"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    process.stdout.readline()
    return process.pid
print(child("gpu-process"), child("renderer"), flush=True)
for _line in sys.stdin:
    print(child("renderer"), flush=True)
"""


class FakeBrowser:
    """A process started like a browser on a profile, with its helper processes."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        code = FAKE_BROWSER
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, code, f"--user-data-dir={profile}", "--no-first-run"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.gpu, renderer = map(int, self.process.stdout.readline().split())
        self.renderers = [renderer]

    @property
    def pid(self) -> int:
        return self.process.pid

    def start_renderer(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("renderer\n")
        self.process.stdin.flush()
        self.renderers.append(int(self.process.stdout.readline()))
        return self.renderers[-1]

    def io_thread(self, pid: int) -> int:
        threads = process_threads(pid)
        return next(t for t in threads if thread_names(pid, [t]) == ["Chrome_ChildIOT"])

    def expected_threads(self) -> list[int]:
        """What should be hastened: the message threads and each renderer's IO thread."""
        return message_threads(self.pid) + [self.io_thread(pid) for pid in self.renderers]

    def other_threads(self) -> list[int]:
        expected = self.expected_threads()
        every = [t for pid in (self.pid, self.gpu, *self.renderers) for t in process_threads(pid)]
        return [t for t in every if t not in expected]

    def close(self) -> None:
        for pid in (self.gpu, *self.renderers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def browser(tmp_path) -> Iterator[FakeBrowser]:
    fake = FakeBrowser(tmp_path / "profile")
    try:
        yield fake
    finally:
        fake.close()


def test_the_browser_on_a_profile_is_found_by_its_main_process(browser, tmp_path, monkeypatch):
    helper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; time.sleep(60)",
            "--type=renderer",
            f"--user-data-dir={browser.profile}",
        ]
    )
    try:
        assert launched_browser(browser.profile) == browser.pid
        monkeypatch.chdir(tmp_path)
        assert launched_browser(Path("profile")) == browser.pid  # a relative path is the same dir
        assert launched_browser(tmp_path / "other") is None
    finally:
        helper.kill()
        helper.wait()


def test_message_threads_are_the_main_io_and_devtools_threads(browser):
    threads = message_threads(browser.pid)
    assert threads[0] == browser.pid
    assert thread_names(browser.pid, threads[1:]) == ["Chrome_DevTools", "Chrome_IOThread"]
    assert message_threads(2**22 + 1) == []  # above the kernel's largest process id


def test_renderers_and_their_io_threads_are_found_through_the_process_tree(browser):
    assert renderers(browser.pid) == browser.renderers  # not the GPU process
    assert browser_threads(browser.profile) == browser.expected_threads()
    later = browser.start_renderer()
    assert sorted(renderers(browser.pid)) == sorted(browser.renderers)
    assert browser.io_thread(later) in browser_threads(browser.profile)
    assert browser_threads(browser.profile.parent / "nobody") == []


Scheduling = tuple[int, int, int, int]


def hasten(
    profile: Path | None, *, priority: int = 0, slice_us: int = 100, cpus: int = 0
) -> tuple[Wakeups, list[Scheduling]]:
    """A session's wake-ups taken and released on a fresh thread (standing in for its event
    loop: nice 4, on ``cpus`` CPUs if given); return them, and that thread's own scheduling
    before, while they were held, and after."""

    def take() -> tuple[Wakeups, list[Scheduling]]:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 4)
        if cpus:
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cpus])
        seen = [thread_scheduling()]
        wakeups = PromptWakeups(WakeupPolicy(realtime_priority=priority, slice_us=slice_us))
        taken = wakeups.take(profile)
        seen.append(thread_scheduling())
        wakeups.release()
        assert wakeups.status == Wakeups()
        return taken, [*seen, thread_scheduling()]

    return in_new_thread(take)


def test_slices_cover_the_message_threads_and_the_renderers_io(browser):
    taken, _own = hasten(browser.profile)
    threads, others = browser.expected_threads(), browser.other_threads()
    if SUPPORTED:
        assert taken == Wakeups(prompt=len(threads))
        assert all(thread_slice(t) == 100_000 for t in threads)
        assert others and all(thread_slice(t) != 100_000 for t in others)
    else:
        assert taken == Wakeups()


@pytest.mark.skipif(not REALTIME, reason="threads may not run real-time here")
def test_where_permitted_those_threads_run_realtime(browser):
    taken, _own = hasten(browser.profile, priority=10)
    threads, others = browser.expected_threads(), browser.other_threads()
    assert taken == Wakeups(prompt=len(threads), realtime=len(threads))
    assert all(policy(t) == FIFO for t in threads)
    assert others and all(policy(t) == os.SCHED_OTHER for t in others)


def test_a_refresh_hastens_renderers_started_since(browser):
    """Navigation starts renderers after the session connected; a refresh takes them in, and
    leaves the threads it already hastened as they are."""

    def take_start_refresh() -> tuple[Wakeups, Wakeups, Wakeups]:
        wakeups = PromptWakeups(WakeupPolicy(realtime_priority=10, slice_us=100))
        first = wakeups.take(browser.profile)
        browser.start_renderer()
        refreshed = wakeups.refresh()
        again = wakeups.refresh()
        wakeups.release()
        return first, refreshed, again

    first, refreshed, again = in_new_thread(take_start_refresh)
    later = browser.io_thread(browser.renderers[-1])
    if REALTIME or SUPPORTED:
        assert refreshed.prompt == first.prompt + 1 == again.prompt
        assert policy(later) == FIFO if REALTIME else thread_slice(later) == 100_000
    else:
        assert refreshed == first == Wakeups()
    assert not any(policy(t) == FIFO for t in browser.other_threads())


@pytest.mark.skipif(not REALTIME_PERMITTED, reason="this process may not run threads real-time")
def test_on_a_single_cpu_nothing_runs_realtime(browser):
    taken, _own = hasten(browser.profile, priority=10, cpus=1)
    assert taken.realtime == 0
    assert not any(policy(t) == FIFO for t in browser.expected_threads())
    assert taken.prompt == (len(browser.expected_threads()) if SUPPORTED else 0)


@pytest.mark.parametrize(("priority", "slice_us"), [(10, 0), (0, 100), (10, 100)])
def test_the_callers_thread_is_never_touched(browser, priority, slice_us):
    """The event loop's thread is not the session's: whatever the policy, launched browser or
    not, the thread that takes and releases the wake-ups keeps its own scheduling."""
    for profile in (browser.profile, None):
        _taken, (before, held, after) = hasten(profile, priority=priority, slice_us=slice_us)
        assert before == held == after and before[2] == 4


def test_by_default_attached_or_unknown_nothing_is_touched(browser):
    """The default policy, attach mode (no profile) and a profile no browser runs on take
    nothing."""
    assert hasten(browser.profile, slice_us=0)[0] == Wakeups()
    assert hasten(None, priority=10)[0] == Wakeups()
    assert hasten(browser.profile.parent / "nobody", priority=10)[0] == Wakeups()
    assert all(thread_slice(t) != 100_000 for t in browser.expected_threads())
    assert all(policy(t) == os.SCHED_OTHER for t in browser.expected_threads())
