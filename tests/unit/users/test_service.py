"""The user service on the in-memory store: adding users, signing in without telling which names
exist, throttling an address that guesses, disabling at once, and settings kept in memory."""

import asyncio
from decimal import Decimal

import pytest
from argon2 import PasswordHasher

from tests.fakes.user_store import MemoryUserStore
from tests.unit.users.conftest import cheap_hasher
from tradewire.core.bus import MessageBus
from tradewire.core.clock import TestClock
from tradewire.core.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ThrottledError,
    ValidationError,
)
from tradewire.users.model import Role, UserDisabled
from tradewire.users.passwords import Passwords
from tradewire.users.service import REFUSED, SIGN_IN_FAILURES_PER_MIN, UserService
from tradewire.users.settings import Subscriptions, UserSettings

PASSWORD = "correct horse battery"


class CountingHasher(PasswordHasher):
    """Argon2 as it is, counting the hashes it verifies."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password) -> bool:
        self.verified += 1
        return super().verify(hash, password)


class SteppedClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> MemoryUserStore:
    return MemoryUserStore()


@pytest.fixture
def bus() -> MessageBus:
    return MessageBus()


def service(store, bus, hasher=None, monotonic=None) -> UserService:
    extra = {"monotonic": monotonic} if monotonic else {}
    return UserService(store, Passwords(hasher or cheap_hasher()), bus, TestClock(), **extra)


async def test_a_user_is_added_with_a_role_and_default_settings(store, bus):
    users = service(store, bus)
    alice = await users.add(" alice ", "admin", PASSWORD)
    assert (alice.name, alice.role, alice.disabled, alice.has_password) == (
        "alice",
        Role.ADMIN,
        False,
        True,
    )
    feeder = await users.add("feeder", "ingest")
    assert not feeder.has_password
    assert await users.list() == [alice, feeder]
    assert await users.settings("alice") == UserSettings()
    credentials = await store.credentials("alice")
    assert credentials.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("name", "role", "password", "reason"),
    [
        ("", "subscriber", None, "invalid user name"),
        ("has space", "subscriber", None, "invalid user name"),
        ("-dash", "subscriber", None, "invalid user name"),
        ("x" * 101, "subscriber", None, "invalid user name"),
        ("alice", "root", None, "unknown role 'root': use admin, subscriber, ingest"),
        ("alice", "subscriber", "short", "8-1024 characters"),
    ],
)
async def test_bad_names_roles_and_passwords_are_refused(store, bus, name, role, password, reason):
    with pytest.raises(ValidationError, match=reason):
        await service(store, bus).add(name, role, password)
    assert await store.list() == []


async def test_a_taken_name_is_a_conflict(store, bus):
    users = service(store, bus)
    await users.add("alice", "subscriber")
    with pytest.raises(ConflictError, match="exists already"):
        await users.add("alice", "admin", PASSWORD)


async def test_sign_in_returns_the_user(store, bus):
    users = service(store, bus)
    await users.add("alice", "admin", PASSWORD)
    assert (await users.sign_in("alice", PASSWORD, "10.0.0.1")).role is Role.ADMIN


async def test_every_refusal_says_the_same_after_the_same_work(store, bus):
    hasher = CountingHasher()
    users = service(store, bus, hasher)
    await users.add("alice", "subscriber", PASSWORD)
    await users.add("tokens-only", "subscriber")
    await users.add("gone", "subscriber", PASSWORD)
    await users.set_disabled("gone", True)
    attempts = [
        ("alice", "wrong password"),
        ("nobody", PASSWORD),
        ("tokens-only", PASSWORD),
        ("gone", PASSWORD),  # the right password of a disabled user
    ]
    for name, password in attempts:
        before = hasher.verified
        with pytest.raises(AuthenticationError) as refused:
            await users.sign_in(name, password, "10.0.0.1")
        assert refused.value.message == REFUSED
        assert hasher.verified == before + 1  # one Argon2 verification, whoever it was


async def test_names_no_user_can_have_are_not_looked_up_but_cost_the_same(store, bus):
    hasher = CountingHasher()
    users = service(store, bus, hasher)
    reads = store.reads
    for name in ("nul\x00name", "has space", "x" * 101):
        with pytest.raises(AuthenticationError, match=REFUSED):
            await users.sign_in(name, PASSWORD, None)
        assert await users.get(name) is None and await users.saved_settings(name) is None
        with pytest.raises(NotFoundError):
            await users.set_disabled(name, True)
    assert store.reads == reads and hasher.verified == 3


async def test_an_address_that_keeps_failing_must_wait_even_with_the_right_password(store, bus):
    clock = SteppedClock()
    hasher = CountingHasher()
    users = service(store, bus, hasher, monotonic=clock)
    await users.add("alice", "subscriber", PASSWORD)
    for _ in range(SIGN_IN_FAILURES_PER_MIN):
        with pytest.raises(AuthenticationError):
            await users.sign_in("alice", "guess", "10.0.0.9")
    checked = hasher.verified
    with pytest.raises(ThrottledError) as throttled:
        await users.sign_in("alice", PASSWORD, "10.0.0.9")
    assert 60 <= throttled.value.retry_after <= 65
    assert hasher.verified == checked  # no guess is checked while the address waits
    assert await users.sign_in("alice", PASSWORD, "10.0.0.10")  # other addresses are not held
    clock.now += throttled.value.retry_after
    assert await users.sign_in("alice", PASSWORD, "10.0.0.9")


async def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(store, bus):
    await service(store, bus, cheap_hasher(time_cost=1)).add("alice", "subscriber", PASSWORD)
    old = (await store.credentials("alice")).password_hash
    current = cheap_hasher(time_cost=2)
    await service(store, bus, current).sign_in("alice", PASSWORD, None)
    new = (await store.credentials("alice")).password_hash
    assert new != old and not current.check_needs_rehash(new)
    assert current.verify(new, PASSWORD)


async def test_disabling_is_seen_at_once_and_announced(store, bus):
    announced: list[UserDisabled] = []
    bus.subscribe(UserDisabled, announced.append)
    users = service(store, bus)
    await users.add("alice", "subscriber")
    assert not users.is_disabled("alice")
    assert (await users.set_disabled("alice", True)).disabled
    assert users.is_disabled("alice") and not users.is_disabled("bob")
    assert [event.user for event in announced] == ["alice"]
    await users.set_disabled("alice", False)
    assert not users.is_disabled("alice") and len(announced) == 1
    with pytest.raises(NotFoundError):
        await users.set_disabled("ghost", True)
    assert not users.is_disabled("ghost")


async def test_who_is_disabled_is_loaded_from_the_store(store, bus):
    await service(store, bus).add("alice", "subscriber")
    await store.set_disabled("alice", True, 1)
    users = service(store, bus)
    assert not users.is_disabled("alice")  # nothing read yet
    await users.load()
    assert users.is_disabled("alice")


async def test_settings_are_changed_saved_and_then_read_from_memory(store, bus):
    users = service(store, bus)
    await users.add("alice", "subscriber")
    changed = await users.update_settings(
        "alice", risk_percent=Decimal("1.5"), subscriptions={"symbols": ["ETHUSDT"]}
    )
    assert changed.subscriptions == Subscriptions((), ("ETH/USDT",))
    assert await store.settings("alice") == changed
    reads = store.reads
    assert await users.settings("alice") == changed
    assert await users.saved_settings("alice") == changed
    assert store.reads == reads


async def test_concurrent_changes_are_all_kept(store, bus):
    users = service(store, bus)
    await users.add("alice", "subscriber")
    await asyncio.gather(
        users.update_settings("alice", paper_trade_enabled=True),
        users.update_settings("alice", risk_percent=Decimal(1)),
        users.update_settings("alice", opposite_signal="ignore"),
    )
    saved = await store.settings("alice")
    assert (saved.paper_trade_enabled, saved.risk_percent, saved.opposite_signal) == (
        True,
        Decimal(1),
        "ignore",
    )


async def test_names_not_in_the_store_have_no_settings(store, bus):
    users = service(store, bus)
    assert await users.saved_settings("token-only") is None
    with pytest.raises(NotFoundError, match="tradewire user add"):
        await users.settings("token-only")
    with pytest.raises(NotFoundError):
        await users.update_settings("token-only", paper_trade_enabled=True)
