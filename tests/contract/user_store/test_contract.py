"""UserStore contract: users and settings read back exactly as stored, names are exact and
unique (also when added at once), and every change to a user who does not exist is refused."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tradewire.core.errors import ConflictError, NotFoundError
from tradewire.users.model import Credentials, Role, User
from tradewire.users.ports import UserStore
from tradewire.users.settings import (
    OppositeSignal,
    Subscriptions,
    TrailingStopSetting,
    TrailUnit,
    UserSettings,
)

T0 = 1_760_000_000_000_000_000
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g"


def user(name: str = "alice", role: Role = Role.SUBSCRIBER, **fields: object) -> User:
    values = {"disabled": False, "created_ns": T0, "has_password": True, **fields}
    return User(name=name, role=role, **values)


async def test_a_user_reads_back_as_stored_with_default_settings(store: UserStore):
    alice = user()
    await store.add(alice, HASH, UserSettings())
    assert await store.get("alice") == alice
    assert await store.credentials("alice") == Credentials(alice, HASH)
    assert await store.settings("alice") == UserSettings()
    assert await store.list() == [alice]


async def test_a_user_without_a_password(store: UserStore):
    feeder = user("feeder", Role.INGEST, has_password=False)
    await store.add(feeder, None, UserSettings())
    assert await store.credentials("feeder") == Credentials(feeder, None)


async def test_names_are_exact_unique_and_listed_in_order(store: UserStore):
    for name in ("bob", "Alice", "alice"):
        await store.add(user(name), HASH, UserSettings())
    with pytest.raises(ConflictError):
        await store.add(user("bob", Role.ADMIN), None, UserSettings())
    assert (await store.get("bob")).role is Role.SUBSCRIBER  # the first one is kept
    assert [u.name for u in await store.list()] == ["Alice", "alice", "bob"]
    assert await store.get("ALICE") is None and await store.credentials("nobody") is None


async def test_one_of_several_adds_of_a_name_at_once_wins(store: UserStore):
    results = await asyncio.gather(
        *(store.add(user("carol", created_ns=T0 + n), HASH, UserSettings()) for n in range(5)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, ConflictError) for r in results if r is not None)
    assert len(await store.list()) == 1


async def test_disabling_and_enabling(store: UserStore):
    await store.add(user(), HASH, UserSettings())
    await store.add(user("bob"), HASH, UserSettings())
    assert await store.disabled_names() == frozenset()
    disabled = await store.set_disabled("alice", True, T0 + 1)
    assert disabled == user(disabled=True)
    assert await store.get("alice") == disabled
    assert await store.disabled_names() == {"alice"}
    assert (await store.set_disabled("alice", False, T0 + 2)).disabled is False
    assert await store.disabled_names() == frozenset()


async def test_a_new_password_hash_replaces_the_old(store: UserStore):
    await store.add(user(has_password=False), None, UserSettings())
    await store.set_password_hash("alice", HASH, T0 + 1)
    credentials = await store.credentials("alice")
    assert credentials.password_hash == HASH and credentials.user.has_password


async def test_settings_read_back_exactly(store: UserStore):
    await store.add(user(), HASH, UserSettings())
    settings = UserSettings(
        paper_trade_enabled=True,
        real_trade_enabled=True,
        subscriptions=Subscriptions(("Trend Rider", "mean-revert ✓"), ("BTC/USDT", "NQ1!")),
        risk_percent=Decimal("2.50"),
        max_notional_percent=Decimal("0.00000001"),
        default_stop_percent=Decimal("1.5"),
        opposite_signal=OppositeSignal.REVERSE,
        take_profit_weights=(Decimal("50"), Decimal("30.50"), Decimal("0.00000001")),
        break_even_after_first_take_profit=True,
        trailing_stop=TrailingStopSetting(Decimal("1.50"), TrailUnit.PERCENT),
        reduce_percent=Decimal("33.3"),
    )
    await store.save_settings("alice", settings, T0 + 1)
    assert await store.settings("alice") == settings
    read = await store.settings("alice")
    assert str(read.risk_percent) == "2.50"
    assert [str(w) for w in read.take_profit_weights] == ["50", "30.50", "1E-8"]
    assert str(read.trailing_stop.distance) == "1.50"
    ticks = TrailingStopSetting(Decimal(25), TrailUnit.TICKS)
    await store.save_settings("alice", UserSettings(trailing_stop=ticks), T0 + 2)
    assert (await store.settings("alice")).trailing_stop == ticks
    await store.save_settings("alice", UserSettings(), T0 + 3)
    assert await store.settings("alice") == UserSettings()


async def test_changes_to_a_user_who_does_not_exist_are_refused(store: UserStore):
    with pytest.raises(NotFoundError):
        await store.set_disabled("ghost", True, T0)
    with pytest.raises(NotFoundError):
        await store.set_password_hash("ghost", HASH, T0)
    with pytest.raises(NotFoundError):
        await store.save_settings("ghost", UserSettings(), T0)
    assert await store.settings("ghost") is None
    assert await store.list() == []
