"""Prompt wake-ups for the threads a captured message crosses.

A message from a page reaches Python through threads that sleep between messages. In the browser
they are the page's renderer's IO thread, then the browser's main thread, its IO thread and its
DevTools handler, which serves the session's websocket; in the capture process, the event loop.
Each wake-up may wait behind whatever runs on the CPU it lands on (a renderer painting, another
program), often until the scheduler's next tick, 4 ms at 250 Hz, even with most of the machine
idle. Where the process may, those threads run real-time (:mod:`tradewire.core.scheduling`) at a
low priority and preempt that work at once; elsewhere they ask for a short slice (Linux 6.12 and
later), which helps less. On two cores this took the pop-ups' p99 from about 5 ms to 2–3 ms, and
with one core kept busy by another program the tape's from 9–45 ms to about 3 ms.

The browser's threads are touched only when tradewire launched the browser. In attach mode the
browser is the user's own Chrome.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import structlog

from tradewire.core.scheduling import (
    SchedAttr,
    request_realtime,
    request_slice,
    restore,
    scheduling,
)

log = structlog.get_logger(__name__)

#: Thread names (the kernel keeps 15 characters) of the browser's DevTools message path.
MESSAGE_THREADS = ("Chrome_IOThread", "Chrome_DevTools")
#: A renderer's IO thread ("Chrome_ChildIOThread", cut to 15 characters).
RENDERER_IO = ("Chrome_ChildIOT",)
_PROFILE_FLAG = "--user-data-dir="
_RENDERER_FLAG = b"--type=renderer"
_REALTIME, _SLICE = "realtime", "slice"


def launched_browser(profile: Path) -> int | None:
    """The process id of the browser running on ``profile`` (its main process, not a helper)."""
    wanted = profile.resolve()
    try:
        entries = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue  # the process ended, or is not ours to read
        if any(arg.startswith("--type=") for arg in args):
            continue
        dirs = [arg.removeprefix(_PROFILE_FLAG) for arg in args if arg.startswith(_PROFILE_FLAG)]
        if any(Path(d).resolve() == wanted for d in dirs):
            return int(entry.name)
    return None


def renderers(browser: int) -> list[int]:
    """The renderer processes browser ``browser`` started, through its zygotes. (Found by their
    parents: a zygote's children rewrite their command lines into one space-separated string.)"""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], list(children.get(browser, []))
    while queue:
        pid = queue.pop()
        queue += children.get(pid, [])
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        if _RENDERER_FLAG in args:
            found.append(pid)
    return found


def named_threads(pid: int, names: tuple[str, ...]) -> list[int]:
    """The threads of process ``pid`` whose names start with one of ``names``."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    threads = []
    for task in tasks:
        try:
            name = (task / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(names):
            threads.append(int(task.name))
    return threads


def message_threads(pid: int) -> list[int]:
    """The browser's main thread and the threads that carry its DevTools messages."""
    if not Path(f"/proc/{pid}/task").is_dir():
        return []
    return [pid, *(tid for tid in named_threads(pid, MESSAGE_THREADS) if tid != pid)]


def browser_threads(profile: Path) -> list[int]:
    """The message threads of the browser launched on ``profile``, and the IO thread of each of
    its renderers, through which a page's messages leave it."""
    browser = launched_browser(profile)
    if browser is None:
        return []
    io = [tid for pid in renderers(browser) for tid in named_threads(pid, RENDERER_IO)]
    return message_threads(browser) + io


@dataclass(frozen=True, slots=True)
class WakeupPolicy:
    """How to hasten message threads: real-time at ``realtime_priority`` where the process may
    (0: never), else a ``slice_us`` slice (0: never). Both off unless the deployment opts in."""

    realtime_priority: int = 0
    slice_us: int = 0


@dataclass(frozen=True, slots=True)
class Wakeups:
    """How many of a session's message threads wake promptly, and how many of those real-time."""

    prompt: int = 0
    realtime: int = 0


# The event loop's thread serves every session on the loop: it is hastened by the first session
# that connects and put back when the last one disconnects. By thread: (sessions, before, how).
_loop_claims: dict[int, tuple[int, SchedAttr | None, str | None]] = {}


class PromptWakeups:
    """One session's prompt wake-ups: taken when it connects, given back when it disconnects.

    Each thread runs real-time at ``realtime_priority`` where the process may (0: never), and
    otherwise asks for a ``slice_us`` slice (0: never)."""

    def __init__(self, policy: WakeupPolicy) -> None:
        self._priority = policy.realtime_priority
        self._slice_us = policy.slice_us
        self._claimed = False
        self._profile: Path | None = None
        self._loop_how: str | None = None
        #: The launched browser's threads seen so far, and how each was hastened.
        self._browser: dict[int, str | None] = {}
        # refresh() may run off the event loop (it reads /proc); take and release run on it.
        self._lock = threading.Lock()
        self.status = Wakeups()

    def take(self, profile: Path | None) -> Wakeups:
        """Hasten the calling thread (the capture's event loop) and, for a browser launched on
        ``profile``, its message threads and its renderers' IO threads."""
        self.release()
        loop = threading.get_native_id()
        sessions, before, how = _loop_claims.get(loop, (0, None, None))
        if not sessions:
            before, how = scheduling(loop), self._hasten(loop)
        _loop_claims[loop] = (sessions + 1, before, how)
        with self._lock:
            self._claimed, self._profile, self._loop_how = True, profile, how
        status = self.refresh()
        threads = 1 + len(self._browser)
        if status.prompt < threads:
            log.info("prompt wake-ups not taken", threads=threads, taken=status.prompt)
        return status

    def refresh(self) -> Wakeups:
        """Hasten the launched browser's threads that are new since the last call: renderers
        come and go with navigation (call this when a page has loaded)."""
        with self._lock:
            if self._claimed and self._profile is not None:
                seen = self._browser
                self._browser = {
                    tid: seen[tid] if tid in seen else self._hasten(tid)
                    for tid in browser_threads(self._profile)
                }
            hows = [self._loop_how, *self._browser.values()] if self._claimed else []
            self.status = Wakeups(
                prompt=len(hows) - hows.count(None), realtime=hows.count(_REALTIME)
            )
            return self.status

    def release(self) -> None:
        """Give the event loop's thread back its own scheduling if no other session holds it.
        The browser's threads end with the browser."""
        with self._lock:
            if not self._claimed:
                return
            self._claimed, self._browser, self.status = False, {}, Wakeups()
        loop = threading.get_native_id()
        sessions, before, how = _loop_claims.pop(loop)
        if sessions > 1:
            _loop_claims[loop] = (sessions - 1, before, how)
        elif how is not None and before is not None and not restore(loop, before):
            log.warning("event loop thread keeps its hastened scheduling", how=how)

    def _hasten(self, tid: int) -> str | None:
        # On a single CPU a busy real-time loop would leave the browser that feeds it next to
        # nothing (the kernel keeps 5% for normal threads).
        several_cpus = len(os.sched_getaffinity(0)) > 1
        if self._priority and several_cpus and request_realtime(tid, self._priority):
            return _REALTIME
        if self._slice_us and request_slice(tid, self._slice_us * 1000):
            return _SLICE
        return None
