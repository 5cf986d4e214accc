"""Argon2 with small parameters: the same algorithm and code paths, a fraction of the work."""

import pytest
from argon2 import PasswordHasher

from tradewire.users.passwords import Passwords


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(cheap_hasher())
