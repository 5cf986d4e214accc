"""This machine's processes and threads, read from /proc, for the scheduling tests."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tradewire.core.scheduling import scheduling

T = TypeVar("T")

# Linux 6.12 brought custom slices for normal threads; this machine's kernel decides what to expect.
_RELEASE = tuple(int(p) for p in platform.release().split(".")[:2] if p.isdigit())
SLICES_SUPPORTED = (
    platform.system() == "Linux"
    and platform.machine() in ("x86_64", "aarch64")
    and _RELEASE >= (6, 12)
)

_CAP_SYS_NICE = 23


def _effective_capabilities() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    return 0


#: Whether this process may run threads real-time: CAP_SYS_NICE, or an RLIMIT_RTPRIO of 10.
REALTIME_PERMITTED = platform.system() == "Linux" and (
    bool(_effective_capabilities() >> _CAP_SYS_NICE & 1)
    or resource.getrlimit(resource.RLIMIT_RTPRIO)[0] >= 10
)


def policy(tid: int = 0) -> int:
    """Thread ``tid``'s scheduling policy, without the reset-on-fork flag."""
    return os.sched_getscheduler(tid) & ~os.SCHED_RESET_ON_FORK


def thread_scheduling(tid: int = 0) -> tuple[int, int, int, int]:
    """Thread ``tid``'s policy, real-time priority, nice and slice."""
    attr = scheduling(tid)
    assert attr is not None, f"no scheduling for thread {tid}"
    return attr.sched_policy, attr.sched_priority, attr.sched_nice, attr.sched_runtime


def in_new_thread(work: Callable[[], T]) -> T:
    """Run ``work`` on a fresh thread, so the caller's thread keeps its own scheduling."""
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0]


def ended_thread() -> int:
    """The id of a thread of this process that has ended (the kernel has let it go)."""
    tid = in_new_thread(threading.get_native_id)
    deadline = time.monotonic() + 5
    while Path(f"/proc/self/task/{tid}").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    return tid


def thread_names(pid: int, threads: list[int]) -> list[str]:
    """The names of ``threads`` of process ``pid``, sorted."""
    return sorted(Path(f"/proc/{pid}/task/{t}/comm").read_text().strip() for t in threads)


def process_threads(pid: int) -> list[int]:
    return [int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()]


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs, through their parents."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], list(children.get(pid, []))
    while queue:
        child = queue.pop()
        found.append(child)
        queue += children.get(child, [])
    return found
