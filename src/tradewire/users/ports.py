"""The user store port: users, their password hashes and their settings, by name."""

from __future__ import annotations

from typing import Protocol

from tradewire.users.model import Credentials, User
from tradewire.users.settings import UserSettings


class UserStore(Protocol):
    """Where users live. Each write is durable when it returns.

    Names are compared exactly (``Alice`` and ``alice`` are two users). Users are never deleted:
    a user who must not sign in any more is disabled.
    """

    async def add(self, user: User, password_hash: str | None, settings: UserSettings) -> None:
        """Store a new user; raise ConflictError if the name is taken."""
        ...

    async def get(self, name: str) -> User | None:
        """The user called ``name``, or None."""
        ...

    async def credentials(self, name: str) -> Credentials | None:
        """The user called ``name`` with its password hash, or None."""
        ...

    async def list(self) -> list[User]:
        """Every user, by name."""
        ...

    async def set_disabled(self, name: str, disabled: bool, at_ns: int) -> User:
        """Disable or enable a user and return it; raise NotFoundError if there is none."""
        ...

    async def set_password_hash(self, name: str, password_hash: str, at_ns: int) -> None:
        """Replace a user's password hash; raise NotFoundError if there is no such user."""
        ...

    async def disabled_names(self) -> frozenset[str]:
        """The names of every disabled user."""
        ...

    async def settings(self, name: str) -> UserSettings | None:
        """A user's settings, or None if there is no such user."""
        ...

    async def save_settings(self, name: str, settings: UserSettings, at_ns: int) -> None:
        """Replace a user's settings; raise NotFoundError if there is no such user."""
        ...
