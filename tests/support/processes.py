"""This machine's processes and threads, read from /proc, for the scheduling tests."""

from __future__ import annotations

import contextlib
import platform
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# Linux 6.12 brought custom slices for normal threads; this machine's kernel decides what to expect.
_RELEASE = tuple(int(p) for p in platform.release().split(".")[:2] if p.isdigit())
SLICES_SUPPORTED = (
    platform.system() == "Linux"
    and platform.machine() in ("x86_64", "aarch64")
    and _RELEASE >= (6, 12)
)


def in_new_thread(work: Callable[[], T]) -> T:
    """Run ``work`` on a fresh thread, so the caller's thread keeps its own scheduling."""
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0]


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
