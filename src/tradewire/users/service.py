"""The user service: add, list, disable and sign in users; read and change their settings.

One process owns the store (the server, or a command while no server runs), so what it keeps in
memory stays true: the names of disabled users, which every token check asks about, and each
user's settings once read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog

from tradewire.core.auth_failures import AuthFailures
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.core.errors import AuthenticationError, NotFoundError, ThrottledError
from tradewire.users.model import (
    User,
    UserDisabled,
    UserSettingsChanged,
    is_user_name,
    role_of,
    user_name,
)
from tradewire.users.passwords import Passwords, check_password
from tradewire.users.ports import UserStore
from tradewire.users.settings import UserSettings

log = structlog.get_logger(__name__)

#: Wrong sign-ins an address may make in a sliding minute before it must wait.
SIGN_IN_FAILURES_PER_MIN = 10
#: One answer for an unknown name, a wrong password, a user without one and a disabled user,
#: so the answer does not tell which names exist.
REFUSED = "wrong user name or password"


class UserService:
    """Users and their settings, over a :class:`UserStore`."""

    def __init__(
        self,
        store: UserStore,
        passwords: Passwords,
        bus: MessageBus,
        clock: Clock,
        *,
        failures_per_min: int = SIGN_IN_FAILURES_PER_MIN,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._passwords = passwords
        self._bus = bus
        self._clock = clock
        self._failures = AuthFailures(failures_per_min, clock=monotonic)
        self._disabled: frozenset[str] = frozenset()
        self._settings: dict[str, UserSettings] = {}
        # Settings changes are read-modify-write: one at a time, so none is lost.
        self._settings_lock = asyncio.Lock()

    async def load(self) -> None:
        """Read which users are disabled (before the first token is checked)."""
        self._disabled = await self._store.disabled_names()

    def is_disabled(self, name: str) -> bool:
        """Whether ``name`` is a stored user who is disabled (no store access: a set lookup)."""
        return name in self._disabled

    async def add(self, name: str, role: str, password: str | None = None) -> User:
        """Store a new user with default settings; without a password it signs in with issued
        tokens only. Raise ValidationError for a bad name, role or password, ConflictError if
        the name is taken."""
        name, kind = user_name(name), role_of(role)
        password_hash = None
        if password is not None:
            password_hash = await self._passwords.hash(check_password(password))
        user = User(
            name=name,
            role=kind,
            disabled=False,
            created_ns=self._clock.now_ns(),
            has_password=password_hash is not None,
        )
        await self._store.add(user, password_hash, UserSettings())
        return user

    async def list(self) -> list[User]:
        """Every user, by name."""
        return await self._store.list()

    async def get(self, name: str) -> User | None:
        """The stored user called ``name``, or None."""
        return await self._store.get(name) if is_user_name(name) else None

    async def set_disabled(self, name: str, disabled: bool) -> User:
        """Disable or enable a user; a disabled user's tokens stop working at once and its
        open connections are closed (:class:`UserDisabled`). NotFoundError if there is none."""
        if not is_user_name(name):
            raise NotFoundError(f"no user called {name[:120]!r}")
        now = self._clock.now_ns()
        user = await self._store.set_disabled(name, disabled, now)
        if disabled:
            self._disabled = self._disabled | {name}
            await self._bus.publish(UserDisabled(user=name, ts_event=now, ts_init=now))
        else:
            self._disabled = self._disabled - {name}
        return user

    async def sign_in(self, name: str, password: str, address: str | None) -> User:
        """Return the user if ``password`` is its own and it is enabled.

        Otherwise raise AuthenticationError with the same message whatever was wrong, after the
        same work; or ThrottledError, without checking the password, once ``address`` has
        failed too often lately. A hash made with older parameters is replaced.
        """
        wait = self._failures.retry_after(address)
        if wait:
            raise ThrottledError("too many failed sign-ins from this address", retry_after=wait)
        # A name no user can have is not looked up (a database may refuse its characters), but
        # costs the same verification as any other.
        credentials = await self._store.credentials(name) if is_user_name(name) else None
        stored = credentials.password_hash if credentials is not None else None
        matches = await self._passwords.verify(stored, password)
        if credentials is None or stored is None or not matches or credentials.user.disabled:
            verdict = self._failures.record(address)
            if verdict.to_log:
                # Never the name: a password typed into the name field would end up in the log.
                log.warning("sign-in refused", address=address, failures=verdict.to_log)
            raise AuthenticationError(REFUSED)
        if self._passwords.needs_rehash(stored):
            fresh = await self._passwords.hash(password)
            await self._store.set_password_hash(name, fresh, self._clock.now_ns())
        return credentials.user

    async def settings(self, name: str) -> UserSettings:
        """A stored user's settings; NotFoundError for a name not in the store."""
        settings = await self.saved_settings(name)
        if settings is None:
            raise NotFoundError(
                f"{name!r} is not a stored user, so it has no settings: "
                "an admin adds it with `tradewire user add`"
            )
        return settings

    async def saved_settings(self, name: str) -> UserSettings | None:
        """A stored user's settings, or None for a name not in the store."""
        settings = self._settings.get(name)
        if settings is None and is_user_name(name):
            settings = await self._store.settings(name)
            if settings is not None:
                self._settings[name] = settings
        return settings

    async def update_settings(self, name: str, **changes: object) -> UserSettings:
        """Apply ``changes`` (see :meth:`UserSettings.updated`) to a stored user's settings,
        save and return them, and publish :class:`UserSettingsChanged`."""
        async with self._settings_lock:
            settings = (await self.settings(name)).updated(**changes)
            now = self._clock.now_ns()
            await self._store.save_settings(name, settings, now)
            self._settings[name] = settings
            # Inside the lock: followers see the changes in the order they were saved.
            await self._bus.publish(
                UserSettingsChanged(user=name, settings=settings, ts_event=now, ts_init=now)
            )
        return settings
