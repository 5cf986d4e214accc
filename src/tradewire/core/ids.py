"""Identifiers: time-ordered unique ids for new things, stable digests for identity."""

from __future__ import annotations

import hashlib
import os
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Every pair of digits (10 bits), so a 26-digit id takes 13 lookups instead of 26.
_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)
_PAIR_SHIFTS = tuple(range(120, -1, -10))
_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def new_id() -> str:
    """Return a new ULID: 26 characters, sortable by creation time, monotonic per process."""
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _last_rand = (_last_rand + 1) & ((1 << 80) - 1)
        else:
            _last_rand = int.from_bytes(os.urandom(10), "big")
        _last_ms = ms
        value = (ms << 80) | _last_rand
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def stable_id(*parts: object) -> str:
    """Return a 32-hex-character digest of ``parts``; equal inputs give equal ids."""
    # One digest of the parts' reprs, each closed by a unit separator (stored ids depend on it).
    data = "".join([repr(part) + "\x1f" for part in parts]).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()
