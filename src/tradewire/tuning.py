"""Opt-in latency tuning of the serving process: deployment choices, all off by default.

While the server serves, :func:`tuned` applies what ``TuningSettings`` asks, and nothing else:

- the event loop's thread, which the process owns, runs real-time (``SCHED_FIFO`` at
  ``realtime_priority``) where the process may and has two CPUs or more, else asks for a
  ``wakeup_slice_us`` slice (:mod:`tradewire.core.scheduling`). Every handler on that loop then
  runs so, a long export included, ahead of the storage writer and of any browser on the machine;
- the interpreter's switch interval, how long another thread (the storage writer) may hold the
  GIL before the loop gets it back;
- ``gc.freeze()`` of the start-up objects and the cyclic collector's thresholds, so that its full
  passes over every connection's objects run less often.

Each is given back when serving stops. None changes what tradewire does, only how soon; see
docs/deployment.md for how to grant the privilege and what each costs.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator

import structlog

from tradewire.core.scheduling import SchedAttr, hasten, restore, scheduling
from tradewire.settings import TuningSettings

log = structlog.get_logger(__name__)


@contextlib.contextmanager
def tuned(tuning: TuningSettings) -> Iterator[None]:
    """Apply ``tuning`` to the process and to the calling thread (the event loop's) until the
    block ends, then give each setting back; log one line saying what was applied."""
    applied: list[str] = []
    refused: list[str] = []
    with contextlib.ExitStack() as undo:
        if tuning.realtime_priority or tuning.wakeup_slice_us:
            how = _hasten_loop(tuning, undo)
            if how is None:
                refused.append("event loop thread scheduling")
            else:
                applied.append(f"event loop thread {how}")
        if tuning.switch_interval_ms is not None:
            undo.callback(sys.setswitchinterval, sys.getswitchinterval())
            sys.setswitchinterval(tuning.switch_interval_ms / 1000)
            applied.append(f"switch interval {tuning.switch_interval_ms:g} ms")
        if tuning.gc_thresholds is not None:
            undo.callback(gc.set_threshold, *gc.get_threshold())
            gc.set_threshold(*tuning.gc_thresholds)
            applied.append(f"gc thresholds {tuning.gc_thresholds}")
        if tuning.gc_freeze:
            gc.freeze()
            undo.callback(gc.unfreeze)
            applied.append(f"gc freeze of {gc.get_freeze_count()} objects")
        if tuning.yield_after_broadcast:
            applied.append("yield after broadcast")  # applied by the hub itself
        log.info("tuning", applied=applied, refused=refused)
        yield


def _hasten_loop(tuning: TuningSettings, undo: contextlib.ExitStack) -> str | None:
    """Hasten the calling thread as ``tuning`` asks, with its give-back on ``undo``; return how
    (real-time or slice), or None where it was refused or could not be given back."""
    tid = threading.get_native_id()
    saved = scheduling(tid)
    if saved is None:
        return None  # another system: what cannot be read cannot be given back
    how = hasten(tid, tuning.realtime_priority, tuning.wakeup_slice_us)
    if how is not None:
        undo.callback(_give_back, tid, saved, how)
    return how


def _give_back(tid: int, saved: SchedAttr, how: str) -> None:
    if not restore(tid, saved):
        log.warning("event loop thread keeps its tuned scheduling", how=how)
