"""Argon2id hashing: never the password in clear, verification by the library, and a rehash
when the parameters change."""

import pytest
from argon2 import PasswordHasher

from tests.unit.users.conftest import cheap_hasher
from tradewire.core.errors import ValidationError
from tradewire.users.passwords import MAX_CHARS, Passwords, check_password


async def test_a_hash_verifies_its_password_only(passwords: Passwords):
    stored = await passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert await passwords.verify(stored, "correct horse battery")
    assert not await passwords.verify(stored, "correct horse batterY")
    assert stored != await passwords.hash("correct horse battery")  # salted


async def test_no_hash_or_an_unreadable_one_never_verifies(passwords: Passwords):
    assert not await passwords.verify(None, "anything at all")
    assert not await passwords.verify("", "anything at all")
    assert not await passwords.verify("$argon2id$garbage", "anything at all")


async def test_a_hash_with_other_parameters_verifies_and_asks_for_a_rehash():
    old = await Passwords(cheap_hasher(time_cost=1)).hash("correct horse battery")
    current = Passwords(cheap_hasher(time_cost=2))
    assert await current.verify(old, "correct horse battery")
    assert current.needs_rehash(old)
    assert not current.needs_rehash(await current.hash("correct horse battery"))


def test_the_default_parameters_are_argon2s_recommended_ones():
    assert Passwords().needs_rehash(PasswordHasher(time_cost=2).hash("x")) is True


@pytest.mark.parametrize("password", ["", "short12", " " * 12, "x" * (MAX_CHARS + 1)])
def test_passwords_too_short_too_long_or_blank_are_refused(password: str):
    with pytest.raises(ValidationError, match="8-1024 characters"):
        check_password(password)


def test_a_good_password_is_returned_unchanged():
    assert check_password(" spaces count ") == " spaces count "
