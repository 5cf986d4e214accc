"""Ask Linux's scheduler to run latency-sensitive threads as soon as they wake.

Where the process may (``CAP_SYS_NICE``, or an ``RLIMIT_RTPRIO`` as a service manager grants it),
a thread can run real-time (``SCHED_FIFO``): it then preempts every normal thread the moment it
wakes, on whichever CPU the kernel puts it.

Without that privilege, since Linux 6.12 (EEVDF), a thread may ask for a custom time slice. A
short slice gives the thread an earlier deadline each time it wakes, so it preempts CPU-bound work
(a renderer painting a busy page) instead of waiting up to that work's slice, about 1.5 ms on two
cores. The thread's share of the CPU (its weight, set by nice) is unchanged, and no privilege is
needed for one's own processes. Elsewhere (other systems, older kernels) nothing changes.

Either way, threads and processes started later by such a thread run with the defaults, and a
thread's own scheduling can be put back (:func:`scheduling`, :func:`restore`). Nothing here is
applied unless a deployment asks for it (``TRADEWIRE_TUNING__*``, docs/deployment.md).
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import sys

#: The range the kernel clamps custom slices of normal threads to.
MIN_SLICE_NS = 100_000
MAX_SLICE_NS = 100_000_000
#: The priorities of real-time (``SCHED_FIFO``) threads.
MIN_PRIORITY = 1
MAX_PRIORITY = 99

# sched_setattr / sched_getattr system call numbers per architecture.
_SYSCALLS = {"x86_64": (314, 315), "aarch64": (274, 275)}
# Normal and batch threads have slices; real-time and deadline ones are left alone.
_FAIR_POLICIES = (os.SCHED_OTHER, getattr(os, "SCHED_BATCH", 3))
_REALTIME_POLICIES = (getattr(os, "SCHED_FIFO", 1), getattr(os, "SCHED_RR", 2))
# Threads and processes the thread starts later get the default slice, not this one.
_RESET_ON_FORK = 0x01
#: How :func:`hasten` sped a thread up.
REALTIME, SLICE = "realtime", "slice"


class SchedAttr(ctypes.Structure):
    """``struct sched_attr`` up to ``sched_period`` (its first published size, 48 bytes): a
    thread's policy, flags, nice, real-time priority and slice."""

    _fields_ = [
        ("size", ctypes.c_uint32),
        ("sched_policy", ctypes.c_uint32),
        ("sched_flags", ctypes.c_uint64),
        ("sched_nice", ctypes.c_int32),
        ("sched_priority", ctypes.c_uint32),
        ("sched_runtime", ctypes.c_uint64),
        ("sched_deadline", ctypes.c_uint64),
        ("sched_period", ctypes.c_uint64),
    ]


@functools.cache
def _syscalls() -> tuple[ctypes.CDLL, int, int] | None:
    """The C library and the (set, get) call numbers, or None where there are none."""
    numbers = _SYSCALLS.get(platform.machine())
    if not sys.platform.startswith("linux") or numbers is None:
        return None
    return ctypes.CDLL(None, use_errno=True), *numbers


def scheduling(tid: int = 0) -> SchedAttr | None:
    """Thread ``tid``'s (0: the caller's) scheduling, or None where it cannot be read."""
    calls = _syscalls()
    if calls is None:
        return None
    libc, _setattr, getattr_ = calls
    attr = SchedAttr()
    if libc.syscall(getattr_, tid, ctypes.byref(attr), ctypes.sizeof(attr), 0) != 0:
        return None
    return attr


def thread_slice(tid: int = 0) -> int | None:
    """The slice (ns) the scheduler gives thread ``tid`` (0: the caller), or None if unknown
    (another system, a kernel without slices, a thread that is gone)."""
    attr = scheduling(tid)
    if attr is None or attr.sched_policy not in _FAIR_POLICIES or not attr.sched_runtime:
        return None
    return int(attr.sched_runtime)


def request_slice(tid: int, slice_ns: int) -> bool:
    """Give thread ``tid`` (0: the caller) a custom slice of ``slice_ns``; return whether the
    kernel took it. Never raises: a thread that is gone, belongs to another user or runs a
    real-time policy, or a kernel without custom slices, just gives False."""
    if not MIN_SLICE_NS <= slice_ns <= MAX_SLICE_NS:
        raise ValueError(f"a slice must be {MIN_SLICE_NS}–{MAX_SLICE_NS} ns, not {slice_ns}")
    current = scheduling(tid)
    calls = _syscalls()
    if current is None or calls is None or current.sched_policy not in _FAIR_POLICIES:
        return False
    libc, setattr_, _getattr = calls
    # The call sets policy and nice too: pass the thread's own, so only the slice changes.
    wanted = SchedAttr(
        size=ctypes.sizeof(SchedAttr),
        sched_policy=current.sched_policy,
        sched_flags=_RESET_ON_FORK,
        sched_nice=current.sched_nice,
        sched_runtime=slice_ns,
    )
    if libc.syscall(setattr_, tid, ctypes.byref(wanted), 0) != 0:
        return False
    # Kernels before custom slices accept the call and ignore the slice.
    return thread_slice(tid) == slice_ns


def request_realtime(tid: int, priority: int) -> bool:
    """Run thread ``tid`` (0: the caller) real-time, ``SCHED_FIFO`` at ``priority``, unless it
    already runs real-time (the priority it was given stands); return whether it does now. Never
    raises for a refusal: a process without the privilege, a thread that is gone or another system
    just give False."""
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise ValueError(f"a priority must be {MIN_PRIORITY}–{MAX_PRIORITY}, not {priority}")
    if not hasattr(os, "SCHED_RESET_ON_FORK"):
        return False
    try:
        if os.sched_getscheduler(tid) & ~os.SCHED_RESET_ON_FORK in _REALTIME_POLICIES:
            return True
        os.sched_setscheduler(tid, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(priority))
    except OSError:
        return False
    return True


def restore(tid: int, saved: SchedAttr) -> bool:
    """Put thread ``tid``'s scheduling back to ``saved`` (from :func:`scheduling`); return whether
    the kernel took it. Later threads and processes keep starting with the defaults: without
    privilege that flag cannot be cleared."""
    calls = _syscalls()
    if calls is None:
        return False
    libc, setattr_, _getattr = calls
    attr = SchedAttr.from_buffer_copy(saved)
    attr.size = ctypes.sizeof(SchedAttr)
    attr.sched_flags = saved.sched_flags | _RESET_ON_FORK
    return libc.syscall(setattr_, tid, ctypes.byref(attr), 0) == 0


def hasten(tid: int, priority: int, slice_us: int) -> str | None:
    """Run thread ``tid`` (0: the caller) real-time at ``priority`` where the process may and
    has two CPUs or more (0: never), else give it a ``slice_us`` slice (0: never); return which
    it took, :data:`REALTIME` or :data:`SLICE`, or None."""
    # On a single CPU a busy real-time thread would leave every other thread next to nothing
    # (the kernel keeps 5% of the CPU for normal threads).
    several_cpus = len(os.sched_getaffinity(0)) > 1
    if priority and several_cpus and request_realtime(tid, priority):
        return REALTIME
    if slice_us and request_slice(tid, slice_us * 1000):
        return SLICE
    return None
