"""Passwords, hashed with Argon2id (argon2-cffi); never kept, logged or compared in clear.

Hashing is slow and memory-hard on purpose (by default 3 passes over 64 MiB), so it runs in a
worker thread, a few at a time, never on the event loop. Verification is the library's, which
compares in constant time. A hash made with other parameters than the current ones still
verifies, and :meth:`Passwords.needs_rehash` says to replace it.
"""

from __future__ import annotations

import asyncio
import secrets

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tradewire.core.errors import ValidationError

log = structlog.get_logger(__name__)

MIN_CHARS = 8
#: Longer inputs buy no security, only work for whoever sends them.
MAX_CHARS = 1024
#: Hashes computed at once; each holds its memory cost (64 MiB by default) while it runs.
MAX_CONCURRENT = 4


def check_password(password: str) -> str:
    """Return ``password`` unchanged, or raise ValidationError if it is too short or too long."""
    if not MIN_CHARS <= len(password) <= MAX_CHARS or not password.strip():
        raise ValidationError(
            f"a password must be {MIN_CHARS}-{MAX_CHARS} characters, not only spaces"
        )
    return password


class Passwords:
    """Hash and verify passwords with one set of Argon2 parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        """Return the Argon2id hash of ``password`` with the current parameters."""
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches the ``stored`` hash.

        With no hash (an unknown user, or one without a password) a hash of a random secret
        is checked instead and the answer is False: every refusal costs the same work, so
        timing does not tell which names exist.
        """
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored, password)

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy_hash(), password) and bool(stored)
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            log.warning("a stored password hash could not be read; the sign-in is refused")
            return False

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(32))
        return self._dummy
