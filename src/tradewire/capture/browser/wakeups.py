"""Prompt wake-ups for the threads of a launched browser that a captured message crosses.

A message from a page reaches Python through threads that sleep between messages: the page's
renderer's IO thread, then the browser's main thread, its IO thread and its DevTools handler,
which serves the session's websocket. Each wake-up may wait behind whatever runs on the CPU it
lands on (a renderer painting, another program), often until the scheduler's next tick, 4 ms at
250 Hz, even with most of the machine idle. A deployment may opt in (``TRADEWIRE_TUNING__*``,
docs/deployment.md) to have those threads run real-time at a low priority where the process may
(:mod:`tradewire.core.scheduling`), else ask for a short slice (Linux 6.12 and later). By default
nothing is touched; capture delivers the same messages either way, only later.

Only a browser tradewire launched is touched: in attach mode the browser is the user's own
Chrome. Nor is the event loop's thread: a session does not own it (under ``tradewire serve`` it is
the server's, which the deployment tunes as a whole, :mod:`tradewire.tuning`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import structlog

from tradewire.core.scheduling import REALTIME, hasten

log = structlog.get_logger(__name__)

#: Thread names (the kernel keeps 15 characters) of the browser's DevTools message path.
MESSAGE_THREADS = ("Chrome_IOThread", "Chrome_DevTools")
#: A renderer's IO thread ("Chrome_ChildIOThread", cut to 15 characters).
RENDERER_IO = ("Chrome_ChildIOT",)
_PROFILE_FLAG = "--user-data-dir="
_RENDERER_FLAG = b"--type=renderer"


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

    @property
    def enabled(self) -> bool:
        return bool(self.realtime_priority or self.slice_us)


@dataclass(frozen=True, slots=True)
class Wakeups:
    """How many of a launched browser's message threads wake promptly, and how many of those
    run real-time."""

    prompt: int = 0
    realtime: int = 0


class PromptWakeups:
    """One session's prompt wake-ups in the browser it launched: taken when it connects, forgotten
    when it disconnects (the browser's threads end with the browser)."""

    def __init__(self, policy: WakeupPolicy) -> None:
        self._policy = policy
        self._profile: Path | None = None
        #: The launched browser's threads seen so far, and how each was hastened.
        self._browser: dict[int, str | None] = {}
        # take() and refresh() run off the event loop (they read /proc), release() on it.
        self._lock = threading.Lock()
        self.status = Wakeups()

    def take(self, profile: Path | None) -> Wakeups:
        """Hasten, as the policy asks, the message threads of the browser launched on ``profile``
        and its renderers' IO threads; nothing for None (attach mode) or an unset policy."""
        with self._lock:
            self._profile, self._browser = profile, {}
        status = self.refresh()
        if status.prompt < len(self._browser):
            log.info("prompt wake-ups not taken", threads=len(self._browser), taken=status.prompt)
        return status

    def refresh(self) -> Wakeups:
        """Hasten the launched browser's threads that are new since the last call: renderers
        come and go with navigation (call this when a page has loaded)."""
        with self._lock:
            if self._profile is not None and self._policy.enabled:
                seen = self._browser
                self._browser = {
                    tid: seen[tid] if tid in seen else self._hasten(tid)
                    for tid in browser_threads(self._profile)
                }
            hows = list(self._browser.values())
            prompt = len(hows) - hows.count(None)
            self.status = Wakeups(prompt=prompt, realtime=hows.count(REALTIME))
            return self.status

    def release(self) -> None:
        """Forget the browser: its threads end with it."""
        with self._lock:
            self._profile, self._browser, self.status = None, {}, Wakeups()

    def _hasten(self, tid: int) -> str | None:
        return hasten(tid, self._policy.realtime_priority, self._policy.slice_us)
