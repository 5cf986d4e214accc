"""In-memory UserStore (port: tradewire.users.ports)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tradewire.core.errors import ConflictError, NotFoundError
from tradewire.users.model import Credentials, User
from tradewire.users.settings import UserSettings


@dataclass(slots=True)
class _Entry:
    user: User
    password_hash: str | None
    settings: UserSettings


class MemoryUserStore:
    """UserStore that keeps users in a dict; counts reads so tests can see what is cached."""

    def __init__(self) -> None:
        self._users: dict[str, _Entry] = {}
        self.reads = 0

    async def add(self, user: User, password_hash: str | None, settings: UserSettings) -> None:
        if user.name in self._users:
            raise ConflictError(f"a user called {user.name!r} exists already")
        self._users[user.name] = _Entry(user, password_hash, settings)

    async def get(self, name: str) -> User | None:
        entry = self._read(name)
        return entry.user if entry else None

    async def credentials(self, name: str) -> Credentials | None:
        entry = self._read(name)
        return Credentials(entry.user, entry.password_hash) if entry else None

    async def list(self) -> list[User]:
        self.reads += 1
        return [self._users[name].user for name in sorted(self._users)]

    async def set_disabled(self, name: str, disabled: bool, at_ns: int) -> User:
        entry = self._existing(name)
        entry.user = replace(entry.user, disabled=disabled)
        return entry.user

    async def set_password_hash(self, name: str, password_hash: str, at_ns: int) -> None:
        entry = self._existing(name)
        entry.password_hash = password_hash
        entry.user = replace(entry.user, has_password=True)

    async def disabled_names(self) -> frozenset[str]:
        self.reads += 1
        return frozenset(name for name, entry in self._users.items() if entry.user.disabled)

    async def settings(self, name: str) -> UserSettings | None:
        entry = self._read(name)
        return entry.settings if entry else None

    async def save_settings(self, name: str, settings: UserSettings, at_ns: int) -> None:
        entry = self._existing(name)
        entry.settings = settings

    def _read(self, name: str) -> _Entry | None:
        self.reads += 1
        return self._users.get(name)

    def _existing(self, name: str) -> _Entry:
        entry = self._users.get(name)
        if entry is None:
            raise NotFoundError(f"no user called {name!r}")
        return entry
