"""Users in the ``users`` table (implements :class:`tradewire.users.ports.UserStore`).

Writes go through the group-commit writer, durable when they return. A write step never raises
for an expected outcome (a taken name, a missing user): it records the outcome, and the store
raises the domain error after the commit. A new user is inserted with ON CONFLICT DO NOTHING,
so even a command adding the same name from another process cannot make a write fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, Engine, Executable, Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tradewire.core.errors import ConflictError, NotFoundError
from tradewire.storage.errors import retryable
from tradewire.storage.models import UserRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch
from tradewire.users.model import Credentials, Role, User
from tradewire.users.settings import (
    OppositeSignal,
    Subscriptions,
    TrailingStopSetting,
    TrailUnit,
    UserSettings,
)

_USERS = UserRow.__table__
_USER_COLUMNS = (
    _USERS.c.name,
    _USERS.c.role,
    _USERS.c.disabled,
    _USERS.c.created_ns,
    _USERS.c.password_hash,
)


@dataclass(slots=True)
class _Outcome:
    """What a write step found; set on every run (the writer may run a step twice)."""

    rows: int = 0


class SqlUserStore:
    """Store users and their settings in SQL."""

    def __init__(self, engine: Engine, writer: GroupCommitWriter) -> None:
        self._engine = engine
        self._writer = writer

    async def add(self, user: User, password_hash: str | None, settings: UserSettings) -> None:
        row = {
            "name": user.name,
            "role": user.role.value,
            "password_hash": password_hash,
            "disabled": user.disabled,
            "created_ns": user.created_ns,
            "updated_ns": user.created_ns,
            **settings_row(settings),
        }
        outcome = await self._write(lambda conn: _insert_new(conn).values(row))
        if not outcome.rows:
            raise ConflictError(f"a user called {user.name!r} exists already")

    async def get(self, name: str) -> User | None:
        credentials = await self.credentials(name)
        return credentials.user if credentials is not None else None

    async def credentials(self, name: str) -> Credentials | None:
        @retryable
        def read() -> Credentials | None:
            with self._engine.connect() as conn:
                row = conn.execute(select(*_USER_COLUMNS).where(_USERS.c.name == name)).first()
            return None if row is None else _credentials(row)

        return await asyncio.to_thread(read)

    async def list(self) -> list[User]:
        @retryable
        def read() -> list[User]:
            with self._engine.connect() as conn:
                rows = conn.execute(select(*_USER_COLUMNS).order_by(_USERS.c.name)).all()
            return [_credentials(row).user for row in rows]

        return await asyncio.to_thread(read)

    async def set_disabled(self, name: str, disabled: bool, at_ns: int) -> User:
        await self._update(name, disabled=disabled, updated_ns=at_ns)
        user = await self.get(name)
        if user is None:  # only a user deleted by hand in between
            raise NotFoundError(f"no user called {name!r}")
        return user

    async def set_password_hash(self, name: str, password_hash: str, at_ns: int) -> None:
        await self._update(name, password_hash=password_hash, updated_ns=at_ns)

    async def disabled_names(self) -> frozenset[str]:
        @retryable
        def read() -> frozenset[str]:
            with self._engine.connect() as conn:
                names = conn.execute(select(_USERS.c.name).where(_USERS.c.disabled)).scalars()
                return frozenset(names)

        return await asyncio.to_thread(read)

    async def settings(self, name: str) -> UserSettings | None:
        @retryable
        def read() -> UserSettings | None:
            with self._engine.connect() as conn:
                row = conn.execute(select(_USERS).where(_USERS.c.name == name)).mappings().first()
            return None if row is None else row_to_settings(row)

        return await asyncio.to_thread(read)

    async def save_settings(self, name: str, settings: UserSettings, at_ns: int) -> None:
        await self._update(name, **settings_row(settings), updated_ns=at_ns)

    async def _update(self, name: str, **values: object) -> None:
        outcome = await self._write(
            lambda _conn: update(_USERS).where(_USERS.c.name == name).values(**values)
        )
        if not outcome.rows:
            raise NotFoundError(f"no user called {name!r}")

    async def _write(self, statement: Callable[[Connection], Executable]) -> _Outcome:
        """Run the statement ``statement(conn)`` builds through the writer; count its rows."""
        outcome = _Outcome()

        def step(conn: Connection) -> None:
            result = conn.execute(statement(conn))
            outcome.rows = len(result.all()) if result.returns_rows else result.rowcount

        await self._writer.write(WriteBatch(steps=[step]))
        return outcome


def _insert_new(conn: Connection) -> Insert:
    """An insert into users that skips a name taken already (each dialect spells it)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # RETURNING counts what was inserted: the PostgreSQL driver reports no row count for it.
    insert = dialect.insert(_USERS).on_conflict_do_nothing(index_elements=["name"])
    return insert.returning(_USERS.c.name)


def _credentials(row) -> Credentials:
    name, role, disabled, created_ns, password_hash = row
    user = User(
        name=name,
        role=Role(role),
        disabled=bool(disabled),
        created_ns=created_ns,
        has_password=password_hash is not None,
    )
    return Credentials(user, password_hash)


def settings_row(settings: UserSettings) -> dict[str, object]:
    """The settings as columns of the users table."""
    stop, trailing = settings.default_stop_percent, settings.trailing_stop
    return {
        "paper_trade_enabled": settings.paper_trade_enabled,
        "real_trade_enabled": settings.real_trade_enabled,
        "strategies": list(settings.subscriptions.strategies),
        "symbols": list(settings.subscriptions.symbols),
        "risk_percent": str(settings.risk_percent),
        "max_notional_percent": str(settings.max_notional_percent),
        "default_stop_percent": None if stop is None else str(stop),
        "opposite_signal": settings.opposite_signal.value,
        "take_profit_weights": [str(w) for w in settings.take_profit_weights],
        "break_even_after_first_take_profit": settings.break_even_after_first_take_profit,
        "trailing_stop_distance": None if trailing is None else str(trailing.distance),
        "trailing_stop_unit": None if trailing is None else trailing.unit.value,
        "reduce_percent": str(settings.reduce_percent),
    }


def row_to_settings(row) -> UserSettings:
    """Rebuild a user's settings from its stored row (a row from before a setting existed, or
    a NULL where one is not kept, reads as that setting's default)."""
    stop = row["default_stop_percent"]
    defaults = UserSettings()
    weights = row.get("take_profit_weights")
    break_even = row.get("break_even_after_first_take_profit")
    distance, unit = row.get("trailing_stop_distance"), row.get("trailing_stop_unit")
    reduce = row.get("reduce_percent")
    return UserSettings(
        paper_trade_enabled=bool(row["paper_trade_enabled"]),
        real_trade_enabled=bool(row["real_trade_enabled"]),
        subscriptions=Subscriptions(tuple(row["strategies"]), tuple(row["symbols"])),
        risk_percent=Decimal(row["risk_percent"]),
        max_notional_percent=Decimal(row["max_notional_percent"]),
        default_stop_percent=None if stop is None else Decimal(stop),
        opposite_signal=OppositeSignal(row["opposite_signal"]),
        take_profit_weights=tuple(Decimal(w) for w in weights or ()),
        break_even_after_first_take_profit=(
            defaults.break_even_after_first_take_profit if break_even is None else bool(break_even)
        ),
        trailing_stop=(
            None
            if distance is None or unit is None
            else TrailingStopSetting(Decimal(distance), TrailUnit(unit))
        ),
        reduce_percent=defaults.reduce_percent if reduce is None else Decimal(reduce),
    )
